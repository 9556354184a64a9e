/** Causes and helpers the memory-type modules share (interned once). */
import { cause } from '../causes'

export const FREE_CAUSES = {
  setCount: cause('free_zone_device_folio: folio_set_count(folio, 1)'),
  putDevPagemap: cause('free_zone_device_folio: put_dev_pagemap'),
  p2pdmaFree: cause('p2pdma_page_free: percpu_ref_put'),
  freeWake: cause('free_zone_device_folio: wake_up_var(&folio->page)'),
}
