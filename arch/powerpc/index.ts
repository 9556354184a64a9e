/**
 * powerpc book3s64 (POWER hash and radix MMUs) Linux page-table entries.
 *
 * Values are pte_val() integers with LSB = bit 0. The ISA numbers bits MSB-first (LSB bit n is
 * PPC_BIT(63 - n): _PAGE_PRESENT = PPC_BIT(0) = bit 63) and the in-memory entry is big-endian
 * (pte_raw() is __be64); neither matters for the values modelled here.
 *
 * Sources: arch/powerpc/include/asm/book3s/64/pgtable.h (common bits, _PAGE_PTE leaf marker, pte_present,
 * pfn_pte ORs _PAGE_PTE, pte_mkwrite_novma sets _PAGE_RW, pte_mkdirty sets _PAGE_DIRTY|_PAGE_SOFT_DIRTY),
 * hash-4k.h / hash-64k.h (hash-only software bits), radix.h (radix__pmd_mkhuge/radix__pud_mkhuge set
 * _PAGE_PTE), asm/pgtable-masks.h (PAGE_READONLY = _PAGE_BASE | _PAGE_RO), mm/book3s64/pgtable.c
 * (pfn_pmd/pfn_pud = __pmd_mkhuge(pfn << PAGE_SHIFT | prot), vm_get_page_prot), mm/book3s64/pkeys.c
 * ("Pkey is not supported with Radix translation"). Read at Kingxukai/linux@0291023e / @9b44fff6 (6.17-era,
 * post-removal); the 6.16 devmap lines come from the removal patch "mm: Remove devmap related functions
 * and page table bits" (v3 11/14, mainline d438d2734170, 6.17-rc1; hunks identical in v2). See
 * docs/arch-plugins.md (powerpc).
 */
import type { ArchPlugin, BitFieldDecl, Level } from '../api'
import { variants } from './variants'

const ALL: readonly Level[] = ['pte', 'pmd', 'pud']
const PGTABLE = 'arch/powerpc/include/asm/book3s/64/pgtable.h'
const HASH4K = 'arch/powerpc/include/asm/book3s/64/hash-4k.h'
const HASH64K = 'arch/powerpc/include/asm/book3s/64/hash-64k.h'
const RADIX = 'arch/powerpc/include/asm/book3s/64/radix.h'
const REMOVAL = 'removal patch d438d2734170 (6.17-rc1), pre-image = v6.16'
const HASH = ['hash-4k', 'hash-64k'] as const

function bit(
  name: string,
  shift: number,
  kind: 'hw' | 'sw',
  meaning: string,
  source: string,
  extra: Partial<BitFieldDecl> = {},
): BitFieldDecl {
  return { name, macro: `_PAGE_${name}`, shift, levels: ALL, kind, meaning, source, ...extra }
}

const fields: readonly BitFieldDecl[] = [
  bit('EXEC', 0, 'hw', 'execute permission (0x1)', `${PGTABLE} _PAGE_EXEC`),
  bit('WRITE', 1, 'hw', 'write access allowed (0x2)', `${PGTABLE} _PAGE_WRITE`),
  bit('READ', 2, 'hw', 'read access allowed (0x4); _PAGE_RW = READ|WRITE (asm/pgtable-masks.h)', `${PGTABLE} _PAGE_READ`),
  bit('PRIVILEGED', 3, 'hw', 'kernel access only (0x8); a user page has it clear (pte_user())', `${PGTABLE} _PAGE_PRIVILEGED`),
  bit('SAO', 4, 'hw', 'strong access order (0x10); cache-control field bits 4-5, _PAGE_TOLERANT = 0x30', `${PGTABLE} _PAGE_SAO`),
  bit(
    'NON_IDEMPOTENT',
    5,
    'hw',
    'non-idempotent (guarded) memory (0x20); in swap PTEs this bit is _PAGE_SWP_EXCLUSIVE',
    `${PGTABLE} _PAGE_NON_IDEMPOTENT`,
  ),
  bit('BUSY', 6, 'sw', 'H_PAGE_BUSY = _RPAGE_RSV1 (0x40): PTE and hash entry are busy (hash only; reserved on radix)', `${HASH64K}, ${HASH4K} H_PAGE_BUSY`, {
    macro: 'H_PAGE_BUSY',
    variants: HASH,
  }),
  bit('DIRTY', 7, 'hw', 'C bit: page changed (0x80)', `${PGTABLE} _PAGE_DIRTY`),
  bit('ACCESSED', 8, 'hw', 'R bit: page referenced (0x100)', `${PGTABLE} _PAGE_ACCESSED`),
  bit('SOFT_DIRTY', 9, 'sw', '_RPAGE_SW3 (0x200): soft-dirty tracking; pte_mkdirty() sets it with DIRTY', `${PGTABLE} _PAGE_SOFT_DIRTY`),
  bit('SPECIAL', 10, 'sw', '_RPAGE_SW2 (0x400): no struct page for vm_normal_page()', `${PGTABLE} _PAGE_SPECIAL`),
  bit(
    'DEVMAP',
    11,
    'sw',
    '_RPAGE_SW1 (0x800): ZONE_DEVICE pfn; pte_devmap() also requires _PAGE_PTE because SW1 is not software-reserved in non-leaf entries',
    `${PGTABLE} _PAGE_DEVMAP = _RPAGE_SW1 (v6.16; ${REMOVAL})`,
    { kernels: { until: '6.17' } },
  ),
  bit('SW1', 11, 'sw', '_RPAGE_SW1 (0x800): free software bit (was _PAGE_DEVMAP until 6.16)', `${PGTABLE} _RPAGE_SW1 (v6.17)`, {
    macro: '_RPAGE_SW1',
    kernels: { from: '6.17' },
  }),
  bit(
    'COMBO',
    12,
    'sw',
    'H_PAGE_COMBO = _RPAGE_RPN0 (0x1000): 64K PTE backed by 4K hash entries (free low RPN bit of a 64K-aligned pfn)',
    `${HASH64K} H_PAGE_COMBO`,
    { macro: 'H_PAGE_COMBO', levels: ['pte'], variants: ['hash-64k'] },
  ),
  bit(
    '4K_PFN',
    13,
    'sw',
    'H_PAGE_4K_PFN = _RPAGE_RPN1 (0x2000): PFN maps a single 4K page (remap_4k_pfn); same bit as H_PAGE_THP_HUGE in a PMD',
    `${HASH64K} H_PAGE_4K_PFN`,
    { macro: 'H_PAGE_4K_PFN', levels: ['pte'], variants: ['hash-64k'], aliases: ['THP_HUGE'] },
  ),
  bit(
    'THP_HUGE',
    13,
    'sw',
    'H_PAGE_THP_HUGE = H_PAGE_4K_PFN (0x2000): THP/devmap PMD leaf marker on hash (hash__pmd_mkhuge sets _PAGE_PTE|H_PAGE_THP_HUGE)',
    `${HASH64K} H_PAGE_THP_HUGE, hash__pmd_mkhuge`,
    { macro: 'H_PAGE_THP_HUGE', levels: ['pmd'], variants: ['hash-64k'], aliases: ['4K_PFN'] },
  ),
  bit(
    'F_GIX',
    53,
    'sw',
    'H_PAGE_F_GIX = _RPAGE_RPN41..43 (bits 53-55): hash slot index of the HPTE (4K only; above _PAGE_PA_MAX)',
    `${HASH4K} H_PAGE_F_GIX, H_PAGE_F_GIX_SHIFT = _PAGE_PA_MAX`,
    { macro: 'H_PAGE_F_GIX', width: 3, variants: ['hash-4k'] },
  ),
  bit('HASHPTE', 55, 'sw', 'H_PAGE_HASHPTE = _RPAGE_RPN43: PTE has an associated HPTE (64K layout)', `${HASH64K} H_PAGE_HASHPTE`, {
    macro: 'H_PAGE_HASHPTE',
    variants: ['hash-64k'],
  }),
  bit('F_SECOND', 56, 'sw', 'H_PAGE_F_SECOND = _RPAGE_PKEY_BIT0: HPTE is in the secondary HPTEG (4K layout)', `${HASH4K} H_PAGE_F_SECOND`, {
    macro: 'H_PAGE_F_SECOND',
    variants: ['hash-4k'],
  }),
  bit(
    'PKEY',
    56,
    'hw',
    'memory protection key, 5 bits: H_PTE_PKEY_BIT0..4 = _RPAGE_PKEY_BIT0..4 (bits 56-60), key bit i = PTE bit 56+i (hash__pte_to_pkey_bits)',
    `${HASH64K} H_PTE_PKEY_BIT0..4; arch/powerpc/include/asm/book3s/64/hash-pkey.h hash__pte_to_pkey_bits`,
    { macro: 'H_PTE_PKEY_BIT0..4', width: 5, variants: ['hash-64k'] },
  ),
  bit(
    'PKEY',
    57,
    'hw',
    'memory protection key, 3 bits (only 8 keys on 4K): H_PTE_PKEY_BIT0..2 = _RPAGE_PKEY_BIT1..3 (bits 57-59)',
    `${HASH4K} H_PTE_PKEY_BIT0..2 ("memory key bits, only 8 keys supported")`,
    { macro: 'H_PTE_PKEY_BIT0..2', width: 3, variants: ['hash-4k'] },
  ),
  bit('HASHPTE', 60, 'sw', 'H_PAGE_HASHPTE = _RPAGE_PKEY_BIT4: PTE has an associated HPTE (4K layout)', `${HASH4K} H_PAGE_HASHPTE`, {
    macro: 'H_PAGE_HASHPTE',
    variants: ['hash-4k'],
  }),
  bit(
    'INVALID',
    61,
    'sw',
    '_RPAGE_SW0: present but invalid while _PAGE_PRESENT is clear (pmdp_invalidate during a split, ptep_modify_prot_start)',
    `${PGTABLE} _PAGE_INVALID = _RPAGE_SW0`,
  ),
  bit('PTE', 62, 'hw', 'leaf entry (radix LEAF bit, PPC_BIT(1)); pmd_leaf()/pud_leaf() test it; pfn_pte() always ORs it in', `${PGTABLE} _PAGE_PTE`),
  bit('PRESENT', 63, 'hw', 'entry contains a translation (valid, PPC_BIT(0))', `${PGTABLE} _PAGE_PRESENT`),
]

const plugin: ArchPlugin = {
  id: 'powerpc',
  title: 'powerpc book3s64',
  headers: [
    PGTABLE,
    HASH4K,
    HASH64K,
    RADIX,
    'arch/powerpc/include/asm/book3s/64/radix-4k.h',
    'arch/powerpc/include/asm/book3s/64/radix-64k.h',
    'arch/powerpc/include/asm/pgtable-masks.h',
  ],
  defaultVariant: 'radix-64k',
  variants,
  fields,
  leaf: {
    // vm_get_page_prot(VM_READ|VM_SHARED) = PAGE_READONLY = _PAGE_BASE | _PAGE_RO = PRESENT|ACCESSED|READ
    // (a write-notify DAX VMA gets PAGE_COPY, the same bits), PRIVILEGED clear for a user page; pfn_pte()
    // ORs in _PAGE_PTE and pte_mkyoung() sets ACCESSED again.
    base: ['PRESENT', 'PTE', 'READ', 'ACCESSED'],
    // pte_mkwrite_novma() sets _PAGE_RW = READ|WRITE; READ is already in the base.
    write: ['WRITE'],
    // pte_mkdirty()/pmd_mkdirty()/pud_mkdirty() set _PAGE_DIRTY | _PAGE_SOFT_DIRTY (unconditionally).
    dirty: ['DIRTY', 'SOFT_DIRTY'],
    // radix__pmd_mkhuge()/radix__pud_mkhuge() set _PAGE_PTE (already in the base via pfn_pte semantics).
    huge: { pmd: ['PTE'], pud: ['PTE'] },
    // pte_mkspecial(); powerpc does not select ARCH_SUPPORTS_PMD_PFNMAP/PUD_PFNMAP, so no pmd/pud_mkspecial.
    special: { pte: ['SPECIAL'] },
    devmap: [
      {
        kernels: { until: '6.6' },
        flags: { pte: ['SPECIAL', 'DEVMAP'], pmd: ['PTE', 'DEVMAP'] },
        source: `${PGTABLE} pte_mkdevmap (SPECIAL|DEVMAP); ${RADIX} radix__pmd_mkdevmap (PTE|DEVMAP); pud_devmap() == 0 before PUD THP`,
      },
      {
        kernels: { from: '6.6', until: '6.17' },
        flags: { pte: ['SPECIAL', 'DEVMAP'], pmd: ['PTE', 'DEVMAP'], pud: ['PTE', 'DEVMAP'] },
        source: `${PGTABLE} pte_mkdevmap (SPECIAL|DEVMAP); ${RADIX} radix__pmd_mkdevmap, radix__pud_mkdevmap (PTE|DEVMAP) (v6.16; ${REMOVAL})`,
      },
    ],
    byVariant: {
      'hash-64k': {
        // hash__pmd_mkhuge() sets _PAGE_PTE | H_PAGE_THP_HUGE; there is no hash PUD THP.
        huge: { pmd: ['PTE', 'THP_HUGE'] },
        devmap: [
          {
            kernels: { until: '6.17' },
            flags: { pte: ['SPECIAL', 'DEVMAP'], pmd: ['PTE', 'THP_HUGE', 'DEVMAP'] },
            source: `${PGTABLE} pte_mkdevmap; ${HASH64K} hash__pmd_mkdevmap (PTE|THP_HUGE|DEVMAP); pud_mkdevmap BUG() on hash (v6.16; ${REMOVAL})`,
          },
        ],
      },
      'hash-4k': {
        // hash__pmd_mkhuge() and hash__pmd_mkdevmap() BUG() on 4K hash: only PTE-level leaves.
        huge: {},
        devmap: [
          {
            kernels: { until: '6.17' },
            flags: { pte: ['SPECIAL', 'DEVMAP'] },
            source: `${PGTABLE} pte_mkdevmap; ${HASH4K} hash__pmd_mkdevmap BUG() (v6.16; ${REMOVAL})`,
          },
        ],
      },
    },
  },
  kconfig: {
    ptesDevmap: [{ until: '6.17' }],
    zoneDevice: [{}],
    pudThp: [{ from: '6.6' }],
    source:
      'arch/powerpc/Kconfig: select ARCH_HAS_PTE_DEVMAP if PPC_BOOK3S_64 (removed 6.17); ' +
      'arch/powerpc/platforms/Kconfig.cputype: HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD selected by PPC_BOOK3S_64 from ' +
      '"powerpc/book3s64/mm: Enable transparent pud hugepage" (DAX vmemmap series v6, 2023-07; 6.6 merge inferred), ' +
      'moved under PPC_THP (depends on PPC_RADIX_MMU || (PPC_64S_HASH_MMU && PAGE_SIZE_64KB)) later; ' +
      'PUD leaves are radix-only at run time (has_transparent_pud_hugepage()), expressed by pudShift on radix variants only',
  },
  hooks: {
    // pmd_leaf()/pud_leaf() = !!(raw & _PAGE_PTE); no present check (pgtable.h).
    isLeaf: (_value, _level, _ctx, has) => has('PTE'),
    // pte_present(): (PRESENT|PTE) or (INVALID|PTE); pmd_present(): PRESENT or INVALID;
    // pud_present(): PRESENT (pgtable.h).
    isPresent: (_value, level, _ctx, has) => {
      if (level === 'pte') return has('PTE') && (has('PRESENT') || has('INVALID'))
      if (level === 'pmd') return has('PRESENT') || has('INVALID')
      return has('PRESENT')
    },
    // pte_devmap() = (raw & (DEVMAP|PTE)) == (DEVMAP|PTE); pmd_devmap()/pud_devmap() call it (<= 6.16).
    isDevmap: (_value, _level, _ctx, has) => has('DEVMAP') && has('PTE'),
    // pte_dirty() tests _PAGE_DIRTY only (pgtable.h), though pte_mkdirty() also sets SOFT_DIRTY.
    isDirty: (_value, _level, _ctx, has) => has('DIRTY'),
    // hash-64k pmd_trans_huge() also needs H_PAGE_THP_HUGE; radix: PTE and not DEVMAP (<= 6.16).
    isTransHuge: (_value, _level, ctx, has, leaf) =>
      leaf && !(has('DEVMAP') && has('PTE')) && (!ctx.variant.name.startsWith('hash') || has('THP_HUGE')),
  },
  notes: [
    'There is no _PAGE_LARGE in the book3s64 Linux PTE: _PAGE_PTE (bit 62) marks a leaf at every level; hash THP PMDs also carry H_PAGE_THP_HUGE (bit 13) (pgtable.h, hash-64k.h).',
    'Before 6.17 pmd_trans_huge() excludes devmap leaves: radix (val & (PTE|DEVMAP)) == PTE, hash-64k (val & (PTE|THP_HUGE|DEVMAP)) == (PTE|THP_HUGE) (radix.h, hash-64k.h, v6.16).',
    'Bits 12/13 are hash-64k software bits (H_PAGE_COMBO, H_PAGE_4K_PFN/H_PAGE_THP_HUGE) below PAGE_SHIFT 16, so they never overlap the RPN; bits 53-60 hold hash-only bookkeeping and protection keys (hash-4k.h, hash-64k.h). Radix leaves all of them zero.',
    'Protection keys are hash-only: scan_pkey_feature() returns 0 under radix ("Pkey is not supported with Radix translation", mm/book3s64/pkeys.c).',
    'pte_dirty() tests only _PAGE_DIRTY although pte_mkdirty() also sets _PAGE_SOFT_DIRTY (isDirty hook).',
    'hash-4k has no PMD/PUD leaves for DAX (no THP; 16M/16G hugetlb via pmd_leaf_size()/pud_leaf_size() only).',
  ],
}

export default plugin
