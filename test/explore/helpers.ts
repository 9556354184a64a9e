/** Inline race scenarios for the explorer tests: one pinned page of a one-page FS DAX file. */
export const PIN_VS_TRUNCATE = `
name: pin-vs-truncate
description: GUP-fast pin and unpin racing a truncate
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/data, length: 4KiB}
  - mmap: {task: dma, id: m, file: /mnt/pmem0/data, length: 4KiB}
  - access: {task: dma, map: m, offset: 0, write: true}
concurrent:
  - task: dma
    steps:
      - gup: {id: dio, map: m, offset: 0, pages: 1, pin: true, write: true}
      - unpin: {gup: dio}
  - task: trunc
    steps:
      - truncate: {file: /mnt/pmem0/data, length: 0}
`

/**
 * A pinned page, a truncate, and a fault of the same page by the pinning task while the truncate
 * waits with the invalidate_lock dropped (docs/explore.md, "The arm64 finding, reviewed").
 */
export const REFAULT_DURING_WAIT = `
name: refault-during-wait
description: a pin, a truncate, and a re-fault of the page while the truncate waits for the pin
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/data, length: 4KiB}
  - mmap: {task: dma, id: m, file: /mnt/pmem0/data, length: 4KiB}
  - access: {task: dma, map: m, offset: 0, write: true}
  - gup: {task: dma, id: dio, map: m, offset: 0, pages: 1, pin: true, write: true, fast: false}
concurrent:
  - task: dma
    steps:
      - access: {map: m, offset: 0, write: true}
      - unpin: {gup: dio}
  - task: trunc
    steps:
      - truncate: {file: /mnt/pmem0/data, length: 0}
`
