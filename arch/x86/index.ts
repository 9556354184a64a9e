/**
 * x86-64 page-table entries.
 *
 * Sources: arch/x86/include/asm/pgtable_types.h (_PAGE_BIT_* definitions; v6.6 moved _PAGE_BIT_SOFTW4
 * from 58 to 57 and added _PAGE_BIT_SOFTW5 = 58 for _PAGE_SAVED_DIRTY, "x86/mm: Introduce
 * _PAGE_SAVED_DIRTY"), arch/x86/include/asm/pgtable.h (pte_mkdevmap sets _PAGE_SPECIAL|_PAGE_DEVMAP,
 * pmd_mkdevmap/pud_mkdevmap set _PAGE_DEVMAP only; pmd_trans_huge = (PSE|DEVMAP) == PSE before 6.17),
 * page_64_types.h (__PHYSICAL_MASK_SHIFT 52). Devmap removal: "mm: remove devmap related functions
 * and page table bits" (d438d2734170, 6.17-rc1). See docs/arch-plugins.md.
 */
import type { ArchPlugin, BitFieldDecl, Level } from '../api'
import { variants } from './variants'

const ALL: readonly Level[] = ['pte', 'pmd', 'pud']
const HUGE: readonly Level[] = ['pmd', 'pud']
const TYPES = 'arch/x86/include/asm/pgtable_types.h'

function bit(name: string, shift: number, kind: 'hw' | 'sw', meaning: string, extra: Partial<BitFieldDecl> = {}): BitFieldDecl {
  return { name, macro: `_PAGE_${name}`, shift, levels: ALL, kind, meaning, source: `${TYPES} _PAGE_BIT_${name}`, ...extra }
}

const fields: readonly BitFieldDecl[] = [
  bit('PRESENT', 0, 'hw', 'entry is present (_PAGE_BIT_PRESENT)'),
  bit('RW', 1, 'hw', 'writeable'),
  bit('USER', 2, 'hw', 'userspace addressable'),
  bit('PWT', 3, 'hw', 'page write-through'),
  bit('PCD', 4, 'hw', 'page cache disabled'),
  bit('ACCESSED', 5, 'hw', 'set by the CPU on access'),
  bit('DIRTY', 6, 'hw', 'set by the CPU on write'),
  bit('PAT', 7, 'hw', 'PAT index bit of a 4K PTE', { levels: ['pte'], aliases: ['PSE'] }),
  bit('PSE', 7, 'hw', '2M/1G leaf (page size)', { levels: HUGE, aliases: ['PAT'] }),
  bit('GLOBAL', 8, 'hw', 'global TLB entry; _PAGE_PROTNONE when not present'),
  bit('SPECIAL', 9, 'sw', '_PAGE_BIT_SOFTW1: no struct page behind it for vm_normal_page() (also _PAGE_CPA_TEST)'),
  bit('UFFD_WP', 10, 'sw', '_PAGE_BIT_SOFTW2: userfaultfd write-protect'),
  bit('SOFT_DIRTY', 11, 'sw', '_PAGE_BIT_SOFTW3: soft-dirty tracking (also _PAGE_KERNEL_4K)'),
  bit('PAT_LARGE', 12, 'hw', 'PAT index bit of a 2M/1G leaf', { levels: HUGE }),
  bit('DEVMAP', 58, 'sw', '_PAGE_BIT_DEVMAP = _PAGE_BIT_SOFTW4 (bit 58 before v6.6): ZONE_DEVICE pfn', {
    kernels: { until: '6.6' },
    source: `${TYPES} _PAGE_BIT_DEVMAP (v6.5)`,
  }),
  bit('DEVMAP', 57, 'sw', '_PAGE_BIT_DEVMAP = _PAGE_BIT_SOFTW4 (bit 57 from v6.6): ZONE_DEVICE pfn', {
    kernels: { from: '6.6', until: '6.17' },
    source: `${TYPES} _PAGE_BIT_DEVMAP (v6.6..v6.16)`,
  }),
  bit('SOFTW4', 57, 'sw', 'free software bit (was _PAGE_DEVMAP until 6.16)', {
    kernels: { from: '6.17' },
    source: `${TYPES} _PAGE_BIT_SOFTW4 (v6.17, after d438d2734170)`,
  }),
  bit('SAVED_DIRTY', 58, 'sw', '_PAGE_BIT_SOFTW5: shadow-stack aware saved dirty bit', {
    kernels: { from: '6.6' },
    source: `${TYPES} _PAGE_BIT_SAVED_DIRTY (v6.6+)`,
  }),
  bit('PKEY_BIT0', 59, 'hw', 'protection key bit 0'),
  bit('PKEY_BIT1', 60, 'hw', 'protection key bit 1'),
  bit('PKEY_BIT2', 61, 'hw', 'protection key bit 2'),
  bit('PKEY_BIT3', 62, 'hw', 'protection key bit 3'),
  bit('NX', 63, 'hw', 'no execute'),
]

const plugin: ArchPlugin = {
  id: 'x86',
  title: 'x86-64',
  headers: [TYPES, 'arch/x86/include/asm/pgtable.h', 'arch/x86/include/asm/pgtable_64_types.h', 'arch/x86/include/asm/page_64_types.h'],
  defaultVariant: '4-level',
  variants,
  fields,
  leaf: {
    // PAGE_READONLY/PAGE_SHARED minus RW: a DAX VMA wants write notify, so the first write faults.
    base: ['PRESENT', 'USER', 'ACCESSED', 'NX'],
    write: ['RW'],
    dirty: ['DIRTY'],
    huge: { pmd: ['PSE'], pud: ['PSE'] },
    special: ['SPECIAL'],
    devmap: [
      {
        kernels: { until: '6.17' },
        flags: { pte: ['SPECIAL', 'DEVMAP'], pmd: ['DEVMAP'], pud: ['DEVMAP'] },
        source: 'arch/x86/include/asm/pgtable.h pte_mkdevmap (SPECIAL|DEVMAP), pmd_mkdevmap, pud_mkdevmap (DEVMAP)',
      },
    ],
  },
  kconfig: {
    ptesDevmap: [{ until: '6.17' }],
    zoneDevice: [{}],
    pudThp: [{}],
    source: 'arch/x86/Kconfig: select ARCH_HAS_PTE_DEVMAP if X86_64 (removed 6.17); select HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD if X86_64',
  },
  notes: [
    'Bit 7 is PAT in a 4K PTE and PSE (leaf) in a PMD/PUD; bit 12 is PAT_LARGE in a 2M/1G leaf (pgtable_types.h).',
    'Before 6.17 pmd_trans_huge()/pud_trans_huge() = (val & (PSE|DEVMAP)) == PSE, so a devmap leaf is a leaf but not "trans huge" (arch/x86/include/asm/pgtable.h).',
    'NX is set in user leaves when the CPU supports it (__supported_pte_mask); the lab assumes it does.',
  ],
}

export default plugin
