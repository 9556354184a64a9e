/**
 * The vocabulary scenarios (issue 10, part B), each pinned per kernel against the kernel source it
 * follows and, where it translates one, the real test-suite assertion (named in the scenario).
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from '../helpers'

const BOTH = ['6.14', '6.17'] as const
const refcounted = (k: string) => k !== '6.14' && k !== '6.1'

describe.each(BOTH)('partial munmap of a PMD mapping (%s)', (k) => {
  // mm/huge_memory.c __split_huge_pmd_locked: a DAX PMD is cleared, not split into PTEs; from 6.15
  // folio_remove_rmap_pmd + folio_put drop the mapping's reference.
  it('zaps the PMD, the hole SIGSEGVs with SEGV_MAPERR, the rest refaults with PTEs', () => {
    const r = runBuiltin('fsdax-munmap-partial-pmd', k)
    expect(probe(r, 'pmd')).toMatchObject({ level: 'pmd', refcount: 1, mapcount: refcounted(k) ? 1 : 0 })
    expect(step(r, 4).notes).toContain('__split_huge_pmd: 1 huge leaf(s) across the edge zapped')
    expect(probe(r, 'split')).toMatchObject({ refcount: refcounted(k) ? 0 : 1, mapcount: 0 })
    expect(step(r, 6)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_MAPERR' })
    expect(step(r, 7).notes).toContain('pmd: fallback (PMD crosses the VMA edge)')
    expect(probe(r, 'pte')).toMatchObject({ level: 'pte', mapcount: refcounted(k) ? 1 : 0 })
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: refcounted(k) ? 0 : 1, mapcount: 0 })
    expect(r.violations).toEqual([])
  })
})

describe.each(BOTH)('mprotect on FS DAX (%s)', (k) => {
  it('clears the write bit; write SIGSEGV SEGV_ACCERR; FOLL_WRITE GUP EFAULT; only the dirty entry regains write', () => {
    const r = runBuiltin('fsdax-mprotect-readonly', k)
    const writable = BigInt(probe(r, 'writable').entry!)
    const readonly = BigInt(probe(r, 'readonly').entry!)
    expect(writable & 2n).toBe(2n) // x86 _PAGE_RW (bit 1)
    expect(readonly).toBe(writable & ~2n)
    expect(step(r, 7)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_ACCERR' })
    expect(step(r, 8)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(step(r, 9)).toMatchObject({ status: 'ok' })
    expect(probe(r, 'dirty-again').entry).toBe(probe(r, 'writable').entry)
    expect(BigInt(probe(r, 'clean').entry!) & 2n).toBe(0n)
    expect(BigInt(probe(r, 'clean-written').entry!) & 2n).toBe(2n)
    expect(probe(r, 'dirty-again').refcount).toBe(probe(r, 'writable').refcount)
  })
})

describe.each(BOTH)('generic/462: O_DIRECT read into a PROT_READ DAX buffer (%s)', (k) => {
  it('is EFAULT through GUP and through dax_iomap_rw; nothing stays referenced', () => {
    const r = runBuiltin('fsdax-odirect-readonly-buffer', k)
    expect(step(r, 3)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(step(r, 3).message).toContain('check_vma_flags')
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(probe(r, 'after')).toMatchObject({ refcount: 1, pincount: 0 })
    expect(step(r, 6)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_ACCERR' })
  })
})

describe('generic/413, ndctl test_dax_directio: O_DIRECT with a DAX buffer', () => {
  // block/bio.c bio_iov_iter_get_pages: FOLL_GET before a7e689dd1c06 (6.5), FOLL_PIN from it.
  it.each([
    ['6.1', 2, 0],
    ['6.4', 2, 0],
    ['6.5', 1025, 0],
    ['6.14', 1025, 0],
  ] as const)('%s: in-flight I/O holds refcount %i on the small legacy folio', (k, inflight, pin) => {
    const r = runBuiltin('fsdax-odirect-dax-buffer', k)
    expect(step(r, 2)).toMatchObject({ status: 'ok', message: '4096 bytes written from the mapping' })
    expect(step(r, 4)).toMatchObject({ status: 'ok', message: '4096 bytes read into the mapping' })
    expect(probe(r, 'in-flight')).toMatchObject({ refcount: inflight, pincount: pin })
    expect(probe(r, 'completed')).toMatchObject({ refcount: 1, pincount: 0 })
  })
  it('6.17: a pin on the PMD folio counts in _pincount; completion gives it back', () => {
    const r = runBuiltin('fsdax-odirect-dax-buffer', '6.17')
    expect(probe(r, 'after-write')).toMatchObject({ refcount: 1, mapcount: 1 })
    expect(probe(r, 'in-flight')).toMatchObject({ refcount: 3, pincount: 2 })
    expect(probe(r, 'completed')).toMatchObject({ refcount: 1, pincount: 0 })
    expect(step(r, 6).notes?.some((n) => n.includes('FOLL_PIN') && n.includes('FOLL_WRITE'))).toBe(true)
  })
  it('--patches -dio-foll-pin on 6.17 goes back to FOLL_GET references', () => {
    const r = runBuiltin('fsdax-odirect-dax-buffer', '6.17', { patches: '-dio-foll-pin' })
    expect(probe(r, 'in-flight')).toMatchObject({ refcount: 3, pincount: 0 })
    expect(step(r, 6).message).toBe('2 pages referenced by the bio, in flight until complete')
  })
})

describe.each(['6.1', '6.14', '6.15', '6.17'])('generic/503: punching a DAX buffer under O_DIRECT (%s)', (k) => {
  it('the punch waits for the bio, frees nothing early, and the later modes find nothing busy', () => {
    const r = runBuiltin('fsdax-odirect-punch-collision', k)
    expect(step(r, 3)).toMatchObject({ status: 'ok', waited: true, completed_after: 5 })
    expect(probe(r, 'waiting').pfn).toBe('0x300000')
    expect(probe(r, 'punched').pfn).toBeNull()
    for (const i of [7, 8, 9]) expect(step(r, i), `step ${i}`).toMatchObject({ status: 'ok', waited: false })
    expect(kinds(r)).toEqual([])
  })
})

describe.each(BOTH)('ndctl dax-poison: MADV_HWPOISON (%s)', (k) => {
  it('SIGBUS with BUS_MCEERR_AR; GUP and pgmap references balanced; punch + rewrite recovers', () => {
    const r = runBuiltin('fsdax-madvise-hwpoison', k)
    expect(step(r, 3)).toMatchObject({ signal: 'SIGBUS', si_code: 'BUS_MCEERR_AR' })
    expect(step(r, 3).notes).toContain('SIGBUS (BUS_MCEERR_AR) to tester')
    // madvise_inject_error's FOLL_GET was dropped by put_ref_page: back to idle.
    expect(probe(r, 'poisoned')).toMatchObject({ refcount: refcounted(k) ? 0 : 1, mapcount: 0, pincount: 0 })
    expect(step(r, 6).notes?.[0]).toContain('DAX_RECOVERY_WRITE')
    expect(step(r, 8).signal).toBeUndefined()
    expect(probe(r, 'rewritten')).toMatchObject({ level: 'pte', mapcount: refcounted(k) ? 1 : 0 })
    expect(r.pgmaps[0]!.refs).toBe(1 + (16 * 2 ** 30) / 4096)
    expect(kinds(r)).toEqual([])
  })
})

describe.each(BOTH)('xfs/550 with madvise: only the injector is signalled (%s)', (k) => {
  it('injector SIGBUS BUS_MCEERR_AR, reader not collected and SIGBUSes on its next touch', () => {
    const r = runBuiltin('fsdax-madvise-injector', k)
    expect(step(r, 4)).toMatchObject({ task: 'injector', signal: 'SIGBUS', si_code: 'BUS_MCEERR_AR' })
    expect(step(r, 4).notes?.some((n) => n.startsWith('reader: not collected'))).toBe(true)
    expect(step(r, 5).signal).toBeUndefined()
    expect(step(r, 6).signal).toBe('SIGBUS')
    expect(probe(r, 'poisoned')).toMatchObject({ mapcount: 0 })
  })
})

describe.each(BOTH)('mremap of device DAX (%s)', (k) => {
  it('moves the PMD without touching counts; DONTUNMAP leaves the old mapping empty; unaligned shrink EINVAL', () => {
    const r = runBuiltin('devdax-mremap-move', k)
    const before = probe(r, 'before')
    expect(probe(r, 'moved')).toMatchObject({ pfn: before.pfn, entry: before.entry, refcount: before.refcount, mapcount: before.mapcount })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(probe(r, 'old-empty')).toMatchObject({ entry: null, refcount: before.refcount })
    // The old range faults the same device page in again: a second mapping (6.15+: its own reference).
    expect(probe(r, 'both')).toMatchObject({ refcount: refcounted(k) ? 3 : 1, mapcount: refcounted(k) ? 2 : 0 })
    expect(step(r, 10)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 10).message).toContain('dev_dax_may_split')
    expect(step(r, 11)).toMatchObject({ status: 'ok' })
    expect(probe(r, 'shrunk').entry).toBe(before.entry)
  })
})

describe.each(BOTH)('device DAX splits only at its align (%s)', (k) => {
  it('unaligned munmap/mprotect EINVAL; aligned cuts work', () => {
    const r = runBuiltin('devdax-split-align', k)
    expect(step(r, 3)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 5)).toMatchObject({ status: 'ok' })
    expect(probe(r, 'second-pmd')).toMatchObject({ refcount: 1, mapcount: 0 })
    expect(BigInt(probe(r, 'readonly').entry!) & 2n).toBe(0n)
    expect(step(r, 9)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_ACCERR' })
    expect(step(r, 10)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_MAPERR' })
  })
})

describe.each(BOTH)('generic/428: no stale huge zero PMD after write(2) (%s)', (k) => {
  it('the write unmaps the huge zero page; the next read maps the new block', () => {
    const r = runBuiltin('fsdax-stale-pmd', k)
    expect(probe(r, 'huge-zero')).toMatchObject({ level: 'pmd', region: null })
    expect(probe(r, 'after-write')).toMatchObject({ entry: null, pfn: '0x300000' })
    expect(probe(r, 'data')).toMatchObject({ pfn: '0x300000', level: 'pte', mapping: '/mnt/pmem0/testfile' })
  })
})

describe.each(['6.14', '6.16', '6.17'])('generic/437: COW of a PMD-mapped private DAX page (%s)', (k) => {
  it('splits (clears) the PMD and copies to anon; the DAX folio is left idle', () => {
    const r = runBuiltin('fsdax-cow-pmd-race', k)
    expect(step(r, 4).notes).toEqual(['pmd: split for COW', 'pte: mapped'])
    expect(probe(r, 'cow')).toMatchObject({ region: null, level: 'pte' })
    expect(probe(r, 'dax-page')).toMatchObject({ refcount: refcounted(k) ? 0 : 1, mapcount: 0 })
    expect(kinds(r)).toEqual([])
  })
})

describe.each(BOTH)('generic/470: MAP_SYNC write faults allocate (%s)', (k) => {
  it('the written pages have blocks before munmap, the untouched middle stays a hole', () => {
    const r = runBuiltin('fsdax-map-sync-fault', k)
    expect(probe(r, 'first-block').pfn).not.toBeNull()
    expect(probe(r, 'last-block').pfn).not.toBeNull()
    expect(probe(r, 'hole').pfn).toBeNull()
  })
})

describe.each(BOTH)('badblock without memory_failure (%s)', (k) => {
  it('PMD falls back, the bad page SIGBUSes, a DAX read is EIO, a whole-page write recovers it', () => {
    const r = runBuiltin('fsdax-badblock-fault', k)
    expect(step(r, 1).signal).toBeUndefined()
    expect(step(r, 3).notes?.[1]).toContain('-EHWPOISON')
    expect(step(r, 4).signal).toBe('SIGBUS')
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EIO' })
    expect(step(r, 7).signal).toBeUndefined()
    expect(probe(r, 'recovered').pfn).toBe('0x100003')
  })
})

describe.each(BOTH)('fallocate collapse/insert/zero (%s)', (k) => {
  it('shift the block map after breaking the layout; bad ranges EINVAL', () => {
    const r = runBuiltin('fsdax-fallocate-shift', k)
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(probe(r, 'mapping-gone').entry).toBeNull()
    expect(probe(r, 'page16-after-collapse').pfn).toBe(probe(r, 'page32').pfn)
    expect(probe(r, 'inserted-hole').pfn).toBeNull()
    expect(probe(r, 'page16-after-insert').pfn).toBe('0x100000')
    expect(probe(r, 'zeroed').pfn).not.toBeNull()
    expect(kinds(r)).toEqual([])
  })
})

describe.each(BOTH)('madvise advices on FS DAX (%s)', (k) => {
  it('dontneed zaps, free/collapse EINVAL, soft_offline EIO with the GUP reference returned', () => {
    const r = runBuiltin('fsdax-madvise-advice', k)
    expect(probe(r, 'zapped')).toMatchObject({ entry: null, refcount: refcounted(k) ? 0 : 1 })
    expect(step(r, 7)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 8)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 9)).toMatchObject({ status: 'error', error: 'EIO' })
    expect(probe(r, 'after-soft-offline')).toMatchObject({ refcount: 1, mapcount: refcounted(k) ? 1 : 0 })
    expect(probe(r, 'after-munlock')).toEqual({ ...probe(r, 'after-soft-offline'), label: 'after-munlock' })
  })
})
