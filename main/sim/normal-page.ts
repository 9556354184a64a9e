/**
 * What a mapped entry is, decided the way the kernel decides it: the generic helpers applied to the
 * arch-encoded entry (Leaf.raw), not to what the lab meant when it wrote it. What an arch's
 * pte_mkdevmap()/pmd_mkspecial() set, or fail to set, then has its consequence in zap, fork and GUP.
 */
import type { Leaf } from './mm'
import type { Simulation } from './sim'

/**
 * mm/memory.c vm_normal_page() (6.1 to 6.16, CONFIG_ARCH_HAS_PTE_SPECIAL, which every arch here
 * selects): a PTE without pte_special() is a normal page (`goto check_pfn`); a special one is not:
 * VM_PFNMAP/VM_MIXEDMAP, the zero pfn and pte_devmap() ("Legacy ZONE_DEVICE pages that set
 * pte_devmap() do not have refcounts") all return NULL, and anything else special is print_bad_pte().
 * So a legacy devmap PTE counts as "no page" only because pte_mkdevmap() also sets the special bit:
 * x86 (_PAGE_DEVMAP | _PAGE_SPECIAL), arm64 (PTE_DEVMAP | PTE_SPECIAL, since "arm64: mm: add missing
 * PTE_SPECIAL in pte_mkdevmap on arm64", 2019, whose report was "BUG: Bad page map ... mapcount:-1"
 * from the MAP_SYNC test), powerpc and loongarch do; riscv's pte_mkdevmap() (216e04bf1e4d, 6.11, until
 * the 6.17 removal) sets _PAGE_DEVMAP alone, so there vm_normal_page() returns the page.
 * Returns the pfn of the page, or undefined for NULL.
 */
export function vmNormalPage(sim: Simulation, leaf: Leaf): number | undefined {
  // Special: NULL for every reason the kernel has (mixedmap, zero pfn, devmap). A special entry that is
  // none of those would be print_bad_pte(); the lab writes no such entry.
  return sim.arch.isSpecial('pte', leaf.raw) ? undefined : leaf.pfn
}

/**
 * mm/gup.c follow_page_pte(): `page = vm_normal_page(...); if (!page && pte_devmap(pte) && (flags &
 * (FOLL_GET | FOLL_PIN))) *pgmap = get_dev_pagemap(pte_pfn(pte), *pgmap);` and follow_devmap_pmd() /
 * follow_devmap_pud() for pmd_devmap()/pud_devmap() (6.1 to 6.14): whether the slow path holds a
 * dev_pagemap reference for this entry.
 */
export function slowGupTakesPgmap(sim: Simulation, leaf: Leaf): boolean {
  if (leaf.level !== 'pte') return sim.arch.isDevmap(leaf.level, leaf.raw)
  return vmNormalPage(sim, leaf) === undefined && sim.arch.isDevmap('pte', leaf.raw)
}
