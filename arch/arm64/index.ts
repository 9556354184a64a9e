/**
 * arm64 (AArch64 stage-1) page-table entries.
 *
 * Sources:
 * - arch/arm64/include/asm/pgtable-hwdef.h: hardware bits (PTE_VALID, PTE_TYPE_MASK, PTE_USER, PTE_RDONLY,
 *   PTE_SHARED, PTE_AF, PTE_NG, PTE_GP, PTE_DBM, PTE_CONT, PTE_PXN, PTE_UXN, PTE_ATTRINDX_MASK,
 *   PTE_PO_IDX_MASK, PTE_SWBITS_MASK). Read in Kingxukai/linux 0291023e7330 (6.17-era) and torvalds/linux
 *   0410c6121529 (6.14-era, still with PTE_TABLE_BIT / PMD_TABLE_BIT, dropped in 6.15 by 50c2726654bb).
 * - arch/arm64/include/asm/pgtable-prot.h: software bits and protections. 6.16 layout = Kingxukai
 *   0291023e7330 plus `PTE_DEVMAP (_AT(pteval_t, 1) << 57)` (byte-verified against blob 7830d03 of the
 *   removal patch, see docs/arch-plugins.md); NVIDIA/NV-Kernels 641a5e1bf8ab (6.1x, with
 *   PTE_DEVMAP, PTE_PRESENT_INVALID = PTE_NG, PTE_UFFD_WP 58); torvalds/linux eeda243dfeb9 (~6.4:
 *   PTE_PROT_NONE 58, PMD_PRESENT_INVALID 59).
 * - arch/arm64/include/asm/pgtable.h (6.17 snapshot Kingxukai 9b44fff655e2): pte_present, pmd_leaf,
 *   pud_leaf, pmd_mkhuge, pte_mkwrite_novma, pte_mkdirty; devmap helpers from the removal diff
 *   (pte_mkdevmap = DEVMAP|SPECIAL, pmd_mkdevmap = DEVMAP, pmd_devmap = pte_devmap(pmd_pte()), no
 *   pud_mkdevmap; generic pud_devmap() = 0).
 * - Devmap removal: "mm: remove devmap related functions and page table bits" (d438d2734170, 6.17-rc1).
 */
import type { ArchContext, ArchPlugin, BitFieldDecl, Level } from '../api'
import { compareKernel, kernel } from '../kernel'
import { variants } from './variants'

const ALL: readonly Level[] = ['pte', 'pmd', 'pud']
const HWDEF = 'arch/arm64/include/asm/pgtable-hwdef.h'
const PROT = 'arch/arm64/include/asm/pgtable-prot.h'
const PGTABLE = 'arch/arm64/include/asm/pgtable.h'

function hw(name: string, shift: number, meaning: string, extra: Partial<BitFieldDecl> = {}): BitFieldDecl {
  return { name, macro: `PTE_${name}`, shift, levels: ALL, kind: 'hw', meaning, source: `${HWDEF} PTE_${name}`, ...extra }
}

function sw(name: string, shift: number, meaning: string, extra: Partial<BitFieldDecl> = {}): BitFieldDecl {
  return { name, macro: `PTE_${name}`, shift, levels: ALL, kind: 'sw', meaning, source: `${PROT} PTE_${name}`, ...extra }
}

const fields: readonly BitFieldDecl[] = [
  hw('VALID', 0, 'descriptor valid (PMD_SECT_VALID at block level); when clear and NG set (6.10+) the entry is present-invalid'),
  hw('TYPE', 1, 'descriptor bit 1: set = table (levels 0-2) or page (level 3, PTE_TYPE_PAGE = 0b11); clear at PMD/PUD = block (PMD_TYPE_SECT = 0b01)', {
    macro: 'PTE_TABLE_BIT',
    source: `${HWDEF} PTE_TABLE_BIT / PMD_TABLE_BIT (<= 6.14); bit 1 of PTE_TYPE_MASK / PMD_TYPE_MASK (6.15+, after 50c2726654bb "arm64/mm: Drop PXD_TABLE_BIT")`,
  }),
  hw('ATTRINDX', 2, 'MAIR index AttrIndx[2:0]: MT_NORMAL 0, MT_NORMAL_TAGGED 1, MT_NORMAL_NC 2, MT_DEVICE_nGnRnE 3, MT_DEVICE_nGnRE 4 (asm/memory.h)', {
    width: 3,
    macro: 'PTE_ATTRINDX_MASK',
    source: `${HWDEF} PTE_ATTRINDX(t) / PTE_ATTRINDX_MASK (7 << 2); arch/arm64/include/asm/memory.h MT_NORMAL 0`,
  }),
  hw('NS', 5, 'non-secure (Arm ARM stage-1 descriptor bit 5); never set by Linux stage-1 mappings (a realm "shared" mapping uses a PA bit, PROT_NS_SHARED)', {
    macro: '(none; Arm ARM descriptor bit NS)',
    source: `Arm ARM VMSAv8-64 stage-1 block/page descriptor NS (bit 5); no Linux macro in ${HWDEF} (6.14, 6.17 read)`,
  }),
  hw('USER', 6, 'AP[1]: EL0 access (PMD_SECT_USER); PIE index bit 0 (PTE_PI_IDX_0)'),
  hw('RDONLY', 7, 'AP[2]: read-only (PMD_SECT_RDONLY); hardware DBM clears it on the first write when WRITE (DBM) is set'),
  hw('SHARED', 8, 'SH[1:0] shareability: 3 = inner shareable (PTE_SHARED, PMD_SECT_S). With LPA2 these bits carry PA[51:50] and PTE_MAYBE_SHARED is 0', {
    width: 2,
    source: `${HWDEF} PTE_SHARED (3 << 8) / PMD_SECT_S; ${PROT} PTE_MAYBE_SHARED`,
  }),
  hw('AF', 10, 'access flag (PMD_SECT_AF)'),
  hw('NG', 11, 'not global (PMD_SECT_NG); from 6.10 also PTE_PRESENT_INVALID when VALID is clear', {
    source: `${HWDEF} PTE_NG; ${PROT} PTE_PRESENT_INVALID = PTE_NG (6.10+)`,
  }),
  hw('GP', 50, 'BTI guarded page'),
  hw('WRITE', 51, 'PTE_WRITE == PTE_DBM: Linux write permission is the dirty-bit-modifier bit; PIE index bit 1', {
    macro: 'PTE_WRITE',
    source: `${PROT} PTE_WRITE (PTE_DBM) "same as DBM (51)"; ${HWDEF} PTE_DBM`,
  }),
  hw('CONT', 52, 'contiguous hint (PMD_SECT_CONT): CONT_PTES / CONT_PMDS entries map one TLB entry'),
  hw('PXN', 53, 'privileged execute-never (PMD_SECT_PXN); PIE index bit 2'),
  hw('UXN', 54, 'user execute-never (PMD_SECT_UXN); PIE index bit 3'),
  sw('DIRTY', 55, 'software dirty bit; pte_dirty() = DIRTY || (WRITE && !RDONLY)'),
  sw('SPECIAL', 56, 'no struct page for vm_normal_page() (pte_mkspecial, pmd_mkspecial)'),
  sw('DEVMAP', 57, 'ZONE_DEVICE pfn (pte_mkdevmap sets DEVMAP|SPECIAL, pmd_mkdevmap DEVMAP only; pud_devmap() is 0)', {
    levels: ['pte', 'pmd'],
    kernels: { until: '6.17' },
    source: `${PROT} PTE_DEVMAP (_AT(pteval_t, 1) << 57) (6.16 blob 7830d03; removed by d438d2734170 in 6.17)`,
  }),
  sw('PROT_NONE', 58, 'PROT_NONE marker, only meaningful when VALID is clear (pte_present() = VALID || PROT_NONE)', {
    kernels: { until: '6.10' },
    source: `${PROT} PTE_PROT_NONE (_AT(pteval_t, 1) << 58) "only when !PTE_VALID" (~6.4 snapshot eeda243dfeb9; replaced by PTE_PRESENT_INVALID = PTE_NG in 6.10)`,
  }),
  sw('PRESENT_INVALID', 59, 'PMD_PRESENT_INVALID: an invalidated THP PMD is still pmd_present() (only when !PMD_SECT_VALID)', {
    macro: 'PMD_PRESENT_INVALID',
    levels: ['pmd'],
    kernels: { from: '5.8', until: '6.10' },
    source: `${PROT} PMD_PRESENT_INVALID (_AT(pteval_t, 1) << 59) (~6.4 snapshot eeda243dfeb9; introduced ~5.8, not re-verified; gone in 6.10)`,
  }),
  sw('UFFD_WP', 58, 'userfaultfd write-protect (with CONFIG_HAVE_ARCH_USERFAULTFD_WP, else 0); bit 58 was PTE_PROT_NONE before 6.10', {
    kernels: { from: '6.10' },
    source: `${PROT} PTE_UFFD_WP (_AT(pteval_t, 1) << 58) (6.10+: NV-Kernels 641a5e1bf8ab, Kingxukai 0291023e7330)`,
  }),
  hw('PO_IDX', 60, 'Permission Overlay index POIndex[2:0] (FEAT_S1POE, protection keys); bits 59..62 of table descriptors are PXNTable/UXNTable/APTable instead', {
    width: 3,
    macro: 'PTE_PO_IDX_MASK',
    kernels: { from: '6.12' },
    source: `${HWDEF} PTE_PO_IDX_0..2, PTE_PO_IDX_MASK GENMASK_ULL(62, 60) (POE support, 6.12 - release not re-verified)`,
  }),
]

const V6_10 = kernel('6.10')

/** pte_present(): VALID, or present-invalid. Before 6.10 the marker was PTE_PROT_NONE (and PMD_PRESENT_INVALID). */
function isPresent(_value: bigint, _level: Level, ctx: ArchContext, has: (flag: string) => boolean): boolean {
  if (has('VALID')) return true
  if (compareKernel(ctx.kernel, V6_10) >= 0) {
    // pte_present_invalid(): (val & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID, PTE_PRESENT_INVALID = PTE_NG
    return has('NG')
  }
  // <= 6.9: pte_present() = VALID | PTE_PROT_NONE; pmd_present() also accepts PMD_PRESENT_INVALID.
  // has() only sees fields defined for this release and level, so these are false where absent.
  return has('PROT_NONE') || has('PRESENT_INVALID')
}

const plugin: ArchPlugin = {
  id: 'arm64',
  title: 'arm64 (AArch64)',
  headers: [HWDEF, PROT, PGTABLE, 'arch/arm64/include/asm/memory.h'],
  defaultVariant: '4K',
  variants,
  fields,
  leaf: {
    // _PAGE_READONLY = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN, with
    // _PAGE_DEFAULT = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) (pgtable-prot.h).
    // PTE_TYPE_PAGE = VALID|TYPE (0b11); ATTRINDX(MT_NORMAL = 0) adds no bits. protection_map[VM_READ|VM_SHARED]
    // is PAGE_READONLY (arch/arm64/mm/mmap.c), and a write-notify DAX VMA also gets a read-only prot.
    base: ['VALID', 'TYPE', 'USER', 'RDONLY', 'SHARED', 'AF', 'NG', 'PXN', 'UXN'],
    // "Writable" without "dirty" is the clean writable prot of a VMA without write notify (device DAX):
    // _PAGE_SHARED = ... | PTE_RDONLY | PTE_WRITE, hardware-clean under DBM. A dirty writable leaf is what
    // pte_mkwrite_novma() (set PTE_WRITE, clear PTE_RDONLY) + pte_mkdirty() (set PTE_DIRTY, clear
    // PTE_RDONLY if pte_write()) build on a fault with write access (pgtable.h, pgtable-prot.h).
    write: ['WRITE'],
    dirty: ['DIRTY'],
    dirtyClears: ['RDONLY'],
    // pmd_mkhuge()/pud_mkhuge(): bits[1:0] := PMD_TYPE_SECT (0b01) keeping VALID, i.e. clear bit 1.
    huge: [],
    hugeClears: { pmd: ['TYPE'], pud: ['TYPE'] },
    special: ['SPECIAL'],
    devmap: [
      {
        kernels: { until: '6.17' },
        flags: { pte: ['DEVMAP', 'SPECIAL'], pmd: ['DEVMAP'] },
        source: `${PGTABLE} pte_mkdevmap (PTE_DEVMAP | PTE_SPECIAL), pmd_mkdevmap (PTE_DEVMAP only); no pud_mkdevmap (generic pud_devmap() = 0); removed by d438d2734170 (6.17)`,
      },
    ],
  },
  kconfig: {
    ptesDevmap: [{ until: '6.17' }],
    zoneDevice: [{}],
    pudThp: [],
    source:
      'arch/arm64/Kconfig: select ARCH_HAS_PTE_DEVMAP (removed 6.17, blob 55fc331..94b48b1 of the removal patch); no HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD; ZONE_DEVICE available before and after 6.17 (mm/Kconfig)',
  },
  hooks: {
    isPresent,
    // pmd_leaf()/pud_leaf() = present && !pmd_table(), pmd_table() = (val & PMD_TYPE_MASK) == PMD_TYPE_TABLE
    // (0b11). A present-invalid block (VALID clear) is a leaf too. 64K: pud_table() is hard-wired true.
    isLeaf: (value, level, ctx, has) => {
      if (level === 'pud' && ctx.variant.name === '64K') return false
      const table = has('VALID') && has('TYPE')
      return isPresent(value, level, ctx, has) && !table
    },
    // pte_write() = !!(pte_val(pte) & PTE_WRITE); RDONLY is not consulted (DBM semantics).
    isWrite: (_value, _level, _ctx, has) => has('WRITE'),
    // pte_dirty() = pte_sw_dirty || pte_hw_dirty (WRITE && !RDONLY) (arch/arm64/include/asm/pgtable.h).
    isDirty: (_value, _level, _ctx, has) => has('DIRTY') || (has('WRITE') && !has('RDONLY')),
    // pmd_trans_huge() = pmd_val && pmd_present && !pmd_table: devmap PMDs count (see notes).
    isTransHuge: (_value, _level, _ctx, _has, leaf) => leaf,
  },
  notes: [
    'PTE_WRITE is PTE_DBM (bit 51): a writable clean entry has WRITE and RDONLY both set, and the MMU clears RDONLY on the first write (hardware DBM); pte_dirty() = DIRTY || (WRITE && !RDONLY) (arch/arm64/include/asm/pgtable.h).',
    'From 6.10, PTE_PRESENT_INVALID = PTE_NG: VALID clear with NG set is a present-but-invalid entry (PROT_NONE, THP split); before 6.10 that was PTE_PROT_NONE (bit 58) and PMD_PRESENT_INVALID (bit 59). Bit 58 became PTE_UFFD_WP (pgtable-prot.h).',
    'Before 6.17 arm64 pmd_trans_huge() = pmd_val && pmd_present && !(val & PMD_TABLE_BIT): unlike x86 it does not exclude devmap PMDs (arch/arm64/include/asm/pgtable.h; d438d2734170 did not touch it).',
    'pmd_leaf() was pmd_sect() in older kernels, later (pmd_present && !pmd_table); they agree for valid entries. PMD_TABLE_BIT/PTE_TABLE_BIT were dropped in 6.15 (50c2726654bb) in favour of PMD_TYPE_MASK.',
    'PTE_SWBITS_MASK = BIT(63) | GENMASK(58, 55): bit 63 is a software bit with no Linux user and is reported as an unknown bit (pgtable-hwdef.h).',
    'Before ~5.7, pte_mkdevmap set PTE_DEVMAP only; "arm64: mm: add missing PTE_SPECIAL in pte_mkdevmap on arm64" added SPECIAL (release not re-verified).',
    'UFFD_WP is only non-zero with CONFIG_HAVE_ARCH_USERFAULTFD_WP (pgtable-prot.h); arm64 gained userfaultfd write-protect in 6.10.',
  ],
}

export default plugin
