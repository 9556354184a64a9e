/**
 * riscv64 (Sv39/Sv48/Sv57) page-table entries.
 *
 * Sources:
 * - arch/riscv/include/asm/pgtable-bits.h: _PAGE_PRESENT.._PAGE_DIRTY, _PAGE_SOFT (3 << 8), _PAGE_SPECIAL
 *   (1 << 8), _PAGE_PROT_NONE = _PAGE_GLOBAL, _PAGE_PFN_SHIFT 10, _PAGE_LEAF = R|W|X. 6.17 file =
 *   Kingxukai/linux 9b44fff655e2 (blob 179bd4a); 6.11..6.16 = the same plus `_PAGE_DEVMAP (1 << 9)`
 *   (blob a8f5205), both byte-verified against those blobs.
 * - arch/riscv/include/asm/pgtable-64.h: _PAGE_PFN_MASK GENMASK(53, 10), Svpbmt _PAGE_NOCACHE_SVPBMT (61),
 *   _PAGE_IO_SVPBMT (62), Svnapot _PAGE_NAPOT (63), pud_present/pud_leaf (Kingxukai 0291023e7330).
 * - arch/riscv/include/asm/pgtable.h (Kingxukai 0291023e7330): _PAGE_BASE, PAGE_READ, pte_present,
 *   pmd_present (THP), pmd_leaf, pte_mkwrite_novma, pmd_mkhuge (no-op), pmd_trans_huge = pmd_leaf.
 * - ZONE_DEVICE: 216e04bf1e4d "riscv: mm: Add support for ZONE_DEVICE" (6.11; PATCH v4 10/11 adds
 *   _PAGE_DEVMAP, pte_mkdevmap = DEVMAP only, pmd_mkdevmap, pud_devmap() = 0, select ARCH_HAS_PTE_DEVMAP
 *   if 64BIT && MMU). PUD devmap: c3cc2a4a3a23 "riscv: Add support for PUD THP" (pud_devmap =
 *   pte_devmap(pud_pte()), pud_mkdevmap), placed in 6.16 with medium confidence.
 * - Devmap removal: d438d2734170 (6.17-rc1); the proposed revert of riscv ZONE_DEVICE was dropped.
 */
import type { ArchContext, ArchPlugin, BitFieldDecl, Level } from '../api'
import { variants } from './variants'

const ALL: readonly Level[] = ['pte', 'pmd', 'pud']
const BITS = 'arch/riscv/include/asm/pgtable-bits.h'
const B64 = 'arch/riscv/include/asm/pgtable-64.h'
const PGTABLE = 'arch/riscv/include/asm/pgtable.h'

function bit(name: string, shift: number, kind: 'hw' | 'sw', meaning: string, extra: Partial<BitFieldDecl> = {}): BitFieldDecl {
  return { name, macro: `_PAGE_${name}`, shift, levels: ALL, kind, meaning, source: `${BITS} _PAGE_${name}`, ...extra }
}

const DEVMAP_SRC = `${BITS} _PAGE_DEVMAP (1 << 9) "RSW, devmap" (blob a8f5205; added by 216e04bf1e4d in 6.11, removed by d438d2734170 in 6.17)`

const fields: readonly BitFieldDecl[] = [
  bit('PRESENT', 0, 'hw', 'V: valid (_PAGE_PRESENT; _PAGE_TABLE is PRESENT alone)'),
  bit('READ', 1, 'hw', 'R: readable; any of R/W/X makes the entry a leaf (_PAGE_LEAF)'),
  bit('WRITE', 2, 'hw', 'W: writable'),
  bit('EXEC', 3, 'hw', 'X: executable'),
  bit('USER', 4, 'hw', 'U: user-mode accessible'),
  bit('GLOBAL', 5, 'hw', 'G: global mapping; _PAGE_PROT_NONE when V is clear (pte_present() accepts it)', {
    source: `${BITS} _PAGE_GLOBAL; _PAGE_PROT_NONE = _PAGE_GLOBAL`,
  }),
  bit('ACCESSED', 6, 'hw', 'A: set on any access (or by Svadu hardware); _PAGE_SWP_EXCLUSIVE in swap entries'),
  bit('DIRTY', 7, 'hw', 'D: set on write'),
  bit('SPECIAL', 8, 'sw', 'RSW bit 0: no struct page for vm_normal_page() (pte/pmd/pud_mkspecial)'),
  bit('DEVMAP', 9, 'sw', 'RSW bit 1: ZONE_DEVICE pfn; pte_mkdevmap/pmd_mkdevmap set it alone (not SPECIAL); pud_devmap() = 0 before PUD THP', {
    levels: ['pte', 'pmd'],
    kernels: { from: '6.11', until: '6.16' },
    source: DEVMAP_SRC,
  }),
  bit('DEVMAP', 9, 'sw', 'RSW bit 1: ZONE_DEVICE pfn; with PUD THP (c3cc2a4a3a23) also pud_devmap()/pud_mkdevmap()', {
    kernels: { from: '6.16', until: '6.17' },
    source: `${DEVMAP_SRC}; ${B64} pud_devmap = pte_devmap(pud_pte()) (PUD level: medium confidence it is in 6.16)`,
  }),
  bit('NOCACHE', 61, 'hw', 'Svpbmt PBMT = 01 (NC): non-cacheable, idempotent main memory (_PAGE_NOCACHE with Svpbmt)', {
    macro: '_PAGE_NOCACHE_SVPBMT',
    kernels: { from: '5.19' },
    source: `${B64} _PAGE_NOCACHE_SVPBMT (1UL << 61) (Svpbmt support; 5.19 not re-verified)`,
  }),
  bit('IO', 62, 'hw', 'Svpbmt PBMT = 10 (IO): non-cacheable, strongly-ordered I/O (_PAGE_IO with Svpbmt)', {
    macro: '_PAGE_IO_SVPBMT',
    kernels: { from: '5.19' },
    source: `${B64} _PAGE_IO_SVPBMT (1UL << 62) (Svpbmt support; 5.19 not re-verified)`,
  }),
  bit('NAPOT', 63, 'hw', 'Svnapot N bit: naturally aligned power-of-two PTE range (only 64 KiB, order 4)', {
    levels: ['pte'],
    kernels: { from: '6.4' },
    source: `${B64} _PAGE_NAPOT_SHIFT 63 (Svnapot support; 6.4 not re-verified)`,
  }),
]

const anyRWX = (has: (flag: string) => boolean) => has('READ') || has('WRITE') || has('EXEC')

/**
 * pte_present() = PRESENT | PROT_NONE (GLOBAL); pmd_present() with CONFIG_TRANSPARENT_HUGEPAGE also
 * accepts _PAGE_LEAF (a THP being split has V cleared); pud_present() tests PRESENT only (pgtable-64.h).
 */
function isPresent(_value: bigint, level: Level, _ctx: ArchContext, has: (flag: string) => boolean): boolean {
  if (level === 'pud') return has('PRESENT')
  if (level === 'pmd') return has('PRESENT') || has('GLOBAL') || anyRWX(has)
  return has('PRESENT') || has('GLOBAL')
}

const plugin: ArchPlugin = {
  id: 'riscv',
  title: 'riscv64',
  headers: [BITS, B64, PGTABLE],
  defaultVariant: 'sv39',
  variants,
  fields,
  leaf: {
    // PAGE_READ = _PAGE_BASE | _PAGE_READ, _PAGE_BASE = PRESENT | ACCESSED | USER (pgtable.h): user pages
    // are born young and never GLOBAL. protection_map[VM_READ|VM_SHARED] = PAGE_READ (arch/riscv/mm/init.c).
    base: ['PRESENT', 'READ', 'USER', 'ACCESSED'],
    write: ['WRITE'], // pte_mkwrite_novma: | _PAGE_WRITE
    dirty: ['DIRTY'], // pte_mkdirty: | _PAGE_DIRTY
    // pmd_mkhuge()/pud_mkhuge() return the entry unchanged: R/W/X already make it a leaf at any level.
    huge: [],
    special: ['SPECIAL'],
    devmap: [
      {
        kernels: { from: '6.11', until: '6.16' },
        flags: { pte: ['DEVMAP'], pmd: ['DEVMAP'] },
        source: `${PGTABLE} pte_mkdevmap (_PAGE_DEVMAP only), pmd_mkdevmap = pte_mkdevmap(pmd_pte()); ${B64} pud_devmap() = 0 (216e04bf1e4d, 6.11)`,
      },
      {
        kernels: { from: '6.16', until: '6.17' },
        flags: { pte: ['DEVMAP'], pmd: ['DEVMAP'], pud: ['DEVMAP'] },
        source: `${PGTABLE} pud_mkdevmap added by c3cc2a4a3a23 "riscv: Add support for PUD THP" (medium confidence that it is in 6.16); all removed by d438d2734170 (6.17)`,
      },
    ],
  },
  kconfig: {
    ptesDevmap: [{ from: '6.11', until: '6.17' }],
    zoneDevice: [{ from: '6.11' }],
    pudThp: [{ from: '6.16' }],
    source:
      'arch/riscv/Kconfig: select ARCH_HAS_PTE_DEVMAP if 64BIT && MMU (216e04bf1e4d, 6.11; removed 6.17, blob 36061f4..15f5172); before 6.11 ZONE_DEVICE was unavailable (mm/Kconfig ZONE_DEVICE depends on ARCH_HAS_PTE_DEVMAP); 6.17 keeps ZONE_DEVICE (the revert was dropped); HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD from c3cc2a4a3a23 (6.16, medium confidence)',
  },
  hooks: {
    isPresent,
    // pmd_leaf()/pud_leaf() = present && (val & _PAGE_LEAF), _PAGE_LEAF = R|W|X.
    isLeaf: (value, level, ctx, has) => isPresent(value, level, ctx, has) && anyRWX(has),
    // pmd_trans_huge() = pmd_leaf(), pud_trans_huge() = pud_leaf(): devmap leaves count (pgtable.h).
    isTransHuge: (_value, _level, _ctx, _has, leaf) => leaf,
  },
  notes: [
    'An entry with any of R/W/X set is a leaf at any level; all three clear (with V) points to the next table (pgtable-bits.h _PAGE_LEAF). pmd_mkhuge()/pud_mkhuge() are no-ops.',
    'pmd_trans_huge() = pmd_leaf() and pud_trans_huge() = pud_leaf() (pgtable.h): unlike x86, a devmap PMD/PUD leaf was also "trans huge" before 6.17.',
    'riscv pte_mkdevmap() sets _PAGE_DEVMAP only, not _PAGE_SPECIAL (pgtable.h, 216e04bf1e4d).',
    'ZONE_DEVICE came to riscv in 6.11 (216e04bf1e4d, ARCH_HAS_PTE_DEVMAP if 64BIT && MMU). The proposed revert (PATCH v3 25/25, Nov 2024) was dropped: 6.17 removes only _PAGE_DEVMAP and the select, ZONE_DEVICE stays.',
    'PUD-level devmap (c3cc2a4a3a23 "riscv: Add support for PUD THP") is placed in 6.16 with MEDIUM confidence: it was in linux-next on 2025-06-06 (6.16 merge window) and the 6.17 removal deletes its pud_devmap(); 6.11..6.15 certainly had pud_devmap() = 0.',
    'Bit 5 doubles as _PAGE_PROT_NONE when V is clear; pmd_present() (THP) also accepts R/W/X with V clear (split in progress). pud_present() tests V only.',
    'T-Head MAE (ALT_THEAD_PMA) uses bits 59..63 for memory types instead of Svpbmt; not modelled. Later kernels put soft-dirty at bit 59 with Svrsw60t59b (linux-riscv 285a3ea6f341), not in the releases modelled here.',
  ],
}

export default plugin
