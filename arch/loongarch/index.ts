/**
 * LoongArch64 page-table entries.
 *
 * Sources: arch/loongarch/include/asm/pgtable-bits.h (_PAGE_*_SHIFT; read at Kingxukai/linux@9b44fff6,
 * 6.17-era, whose blob equals the removal patch's post-image c8777a9; the 6.11..6.16 file with
 * _PAGE_DEVMAP_SHIFT 59 is its pre-image 45bfc65), arch/loongarch/include/asm/pgtable.h (pte_present,
 * pmd_present, pmd_leaf, pte_mkdirty/pte_mkwrite_novma, pmd_mkhuge; pte/pmd_mkdevmap in 6.11..6.16),
 * arch/loongarch/mm/cache.c (protection_map, the vm_get_page_prot table), arch/loongarch/Kconfig.
 * DEVMAP: added by "LoongArch: Add ARCH_HAS_PTE_DEVMAP support" (6.11), removed by d438d2734170
 * ("mm: remove devmap related functions and page table bits", 6.17-rc1). See
 * docs/arch-plugins.md (loongarch).
 */
import type { ArchPlugin, BitFieldDecl, Level } from '../api'
import { variants } from './variants'

const ALL: readonly Level[] = ['pte', 'pmd', 'pud']
const HUGE: readonly Level[] = ['pmd', 'pud']
const BITS = 'arch/loongarch/include/asm/pgtable-bits.h'
const PGTABLE = 'arch/loongarch/include/asm/pgtable.h'
const REMOVAL = 'removal patch d438d2734170 (6.17-rc1), pre-image = v6.16'

function bit(
  name: string,
  shift: number,
  kind: 'hw' | 'sw',
  meaning: string,
  extra: Partial<BitFieldDecl> = {},
): BitFieldDecl {
  return { name, macro: `_PAGE_${name}`, shift, levels: ALL, kind, meaning, source: `${BITS} _PAGE_${name}_SHIFT`, ...extra }
}

const fields: readonly BitFieldDecl[] = [
  bit('VALID', 0, 'hw', 'V: TLB valid; also _PAGE_ACCESSED ("Reuse Valid for Accessed"), so pte_mkyoung() sets it'),
  bit('DIRTY', 1, 'hw', 'D: TLB write enable; set with WRITE once MODIFIED (pte_mkdirty/pte_mkwrite_novma)'),
  bit('PLV', 2, 'hw', 'privilege level, 2 bits: _PAGE_USER = PLV_USER (3) << 2, _PAGE_KERN = 0', {
    macro: '_PAGE_PLV',
    width: 2,
  }),
  bit('MAT', 4, 'hw', 'memory access type, 2 bits (_CACHE_MASK): _CACHE_SUC 0, _CACHE_CC 1 (0x10), _CACHE_WUC 2 (0x20)', {
    macro: '_CACHE_MASK',
    width: 2,
    source: `${BITS} _CACHE_SHIFT, _CACHE_MASK, _CACHE_CC`,
  }),
  bit('GLOBAL', 6, 'hw', 'G: global TLB entry (PTE level; kernel mappings only)', { levels: ['pte'], aliases: ['HUGE'] }),
  bit('HUGE', 6, 'hw', 'huge leaf at PMD/PUD level ("HUGE is a PMD bit"); pmd_leaf()/pud_leaf() test it', {
    levels: HUGE,
    aliases: ['GLOBAL'],
  }),
  bit('PRESENT', 7, 'sw', 'software present bit'),
  bit('WRITE', 8, 'sw', 'software write permission (pte_write())'),
  bit('MODIFIED', 9, 'sw', 'software dirty (pte_dirty() = DIRTY|MODIFIED)'),
  bit('PROTNONE', 10, 'sw', 'PROT_NONE / NUMA hinting: present to Linux, invalid to the TLB'),
  bit('SPECIAL', 11, 'sw', 'no struct page for vm_normal_page()'),
  bit('HGLOBAL', 12, 'hw', 'global bit of a huge entry: pmd_mkhuge() moves G from bit 6 to bit 12 ("HGlobal is a PMD bit")', {
    levels: HUGE,
  }),
  bit('DEVMAP', 59, 'sw', 'ZONE_DEVICE pfn (pte_devmap()/pmd_devmap(); pud_devmap() is 0)', {
    levels: ['pte', 'pmd'],
    kernels: { from: '6.11', until: '6.17' },
    source: `${BITS} _PAGE_DEVMAP_SHIFT 59 (v6.11..v6.16; "LoongArch: Add ARCH_HAS_PTE_DEVMAP support", ${REMOVAL})`,
  }),
  bit('PRESENT_INVALID', 60, 'sw', 'PMD split in progress: pmd_mkinvalid() clears PRESENT/VALID/DIRTY/PROTNONE and sets this; pmd_present() still true', {
    levels: ['pmd'],
  }),
  bit('NO_READ', 61, 'hw', 'NR: no read'),
  bit('NO_EXEC', 62, 'hw', 'NX: no execute; protection_map sets it for every non-VM_EXEC user mapping'),
  bit('RPLV', 63, 'hw', 'restricted privilege level: only the exact PLV may access'),
]

const plugin: ArchPlugin = {
  id: 'loongarch',
  title: 'LoongArch64',
  headers: [BITS, PGTABLE, 'arch/loongarch/mm/cache.c'],
  defaultVariant: '16K',
  variants,
  fields,
  leaf: {
    // protection_map[VM_SHARED|VM_READ] (and [VM_READ|VM_WRITE], used for a write-notify DAX VMA) =
    // _CACHE_CC | _PAGE_VALID | _PAGE_USER | _PAGE_PRESENT | _PAGE_NO_EXEC (arch/loongarch/mm/cache.c);
    // pte_mkyoung() sets _PAGE_ACCESSED = VALID again. (PAGE_READONLY in pgtable-bits.h lacks VALID and
    // NO_EXEC but vm_get_page_prot() does not use it.)
    base: ['PRESENT', 'VALID', 'PLV=3', 'MAT=1', 'NO_EXEC'],
    // pte_mkwrite_novma()/pmd_mkwrite_novma(): WRITE, plus DIRTY when MODIFIED is already set.
    write: ['WRITE'],
    // pte_mkdirty()/pmd_mkdirty(): MODIFIED, plus DIRTY when WRITE is set. The lab's dirty leaves are
    // writable (DAX makes them dirty in the write fault), so both are listed.
    dirty: ['MODIFIED', 'DIRTY'],
    // pmd_mkhuge(): HUGE (and G moved to HGLOBAL, which a user leaf never has).
    huge: { pmd: ['HUGE'], pud: ['HUGE'] },
    // pte_mkspecial(); LoongArch selects neither ARCH_SUPPORTS_PMD_PFNMAP nor PUD_PFNMAP.
    special: { pte: ['SPECIAL'] },
    devmap: [
      {
        kernels: { from: '6.11', until: '6.17' },
        flags: { pte: ['DEVMAP'], pmd: ['DEVMAP'] },
        source: `${PGTABLE} pte_mkdevmap, pmd_mkdevmap (DEVMAP only, no SPECIAL); pud_devmap() = 0 (v6.11..v6.16; ${REMOVAL})`,
      },
    ],
  },
  kconfig: {
    ptesDevmap: [{ from: '6.11', until: '6.17' }],
    zoneDevice: [{ from: '6.11' }],
    pudThp: [],
    source:
      'arch/loongarch/Kconfig: select ARCH_HAS_PTE_DEVMAP (6.11..6.16; before 6.11 absent, so mm/Kconfig ZONE_DEVICE ' +
      '"depends on ARCH_HAS_PTE_DEVMAP" could not be met); 6.17 mm/Kconfig drops that dependency and LoongArch selects ' +
      'ARCH_ENABLE_MEMORY_HOTPLUG, ARCH_ENABLE_MEMORY_HOTREMOVE and (via ARCH_SPARSEMEM_ENABLE) SPARSEMEM_VMEMMAP_ENABLE ' +
      '(read at a 6.17-era tree); HAVE_ARCH_TRANSPARENT_HUGEPAGE only, no HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD',
  },
  hooks: {
    // pmd_leaf()/pud_leaf() = (val & _PAGE_HUGE) != 0 (pgtable.h).
    isLeaf: (_value, _level, _ctx, has) => has('HUGE'),
    // pte_present() = val & (PRESENT|PROTNONE). pmd_present(): a HUGE entry is present with PRESENT,
    // PROTNONE or PRESENT_INVALID; a table entry is present unless it points at invalid_pte_table (an
    // address the lab cannot know: any non-zero table entry counts). pud_present() likewise compares
    // against invalid_pmd_table.
    isPresent: (value, level, _ctx, has) => {
      if (level === 'pte') return has('PRESENT') || has('PROTNONE')
      if (level === 'pmd' && has('HUGE')) return has('PRESENT') || has('PROTNONE') || has('PRESENT_INVALID')
      return value !== 0n
    },
    // pte_dirty() = val & (DIRTY|MODIFIED): either bit (pgtable.h).
    isDirty: (_value, _level, _ctx, has) => has('DIRTY') || has('MODIFIED'),
  },
  notes: [
    'Bit 6 is GLOBAL in a PTE and HUGE in a PMD/PUD; a huge entry keeps its global bit in HGLOBAL (bit 12) (pgtable-bits.h, pmd_mkhuge).',
    'Bit 0 is both _PAGE_VALID and _PAGE_ACCESSED: pte_mkold() makes the entry TLB-invalid, so the next access faults and sets it again.',
    'Hardware D (bit 1) is only set together with WRITE: pte_mkdirty() sets MODIFIED and adds DIRTY only if WRITE; pte_mkwrite_novma() adds DIRTY only if MODIFIED. pte_dirty() is DIRTY|MODIFIED (either).',
    'Empty upper-level entries point at invalid_pte_table/invalid_pmd_table instead of being 0 (pmd_none, pud_none).',
    'Swap PTEs use bit 23 as _PAGE_SWP_EXCLUSIVE (inside the PFN field of a present PTE); it is not declared here.',
    'DEVMAP (bit 59, 6.11..6.16) sits between the PFN field end (bit 47) and PRESENT_INVALID (bit 60); from 6.17 bit 59 is unused.',
    'LoongArch has no PUD-level leaves (no HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD; hugetlb uses HPAGE_SHIFT = the PMD shift).',
  ],
}

export default plugin
