/**
 * The folio table's indexes (ADR 0027): the open-addressing SlotMap and the dense per-region blocks
 * must answer exactly what a Map from head pfn to slot answers, through inserts, deletes (backward
 * shift) and growth; and a FolioTable over a dense region and a sparse one lists its records as a Map
 * would (touched() by pfn, touchedIn() over both its probe and its scan branch).
 */
import { describe, expect, it } from 'vitest'
import { SlotMap } from '../../main/sim/slot-map'
import { DENSE_FOLIOS, DenseSlots } from '../../main/sim/dense-slots'
import { FolioTable } from '../../main/sim/folios'
import { kernelModel } from '../../main/sim/kernel-model'
import { layoutRegions } from '../../main/sim/memory'
import { Trace } from '../../main/sim/trace'
import { xorshift32 } from '../store/random'

describe('SlotMap', () => {
  it('agrees with a Map through random sets, overwrites and deletes, with keys past 2^32', () => {
    const random = xorshift32(7)
    const map = new SlotMap(4)
    const ref = new Map<number, number>()
    // A narrow key range forces long probe runs and many deletes inside them.
    const key = () => 2 ** 36 + random(3000) * (random(2) === 0 ? 1 : 4096)
    for (let i = 0; i < 20_000; i++) {
      const k = key()
      const op = random(3)
      if (op === 0) {
        const slot = 1 + random(1_000_000)
        map.set(k, slot)
        ref.set(k, slot)
      } else if (op === 1) expect(map.delete(k)).toBe(ref.delete(k))
      else if (map.get(k) !== (ref.get(k) ?? 0)) expect.fail(`get(${k}) = ${map.get(k)}, the Map has ${ref.get(k)}`)
    }
    expect(map.size).toBe(ref.size)
    for (const [k, v] of ref) expect(map.get(k)).toBe(v)
    const seen = new Map<number, number>()
    map.forEach((k, v) => seen.set(k, v))
    expect(seen).toEqual(ref)
  })

  it('answers 0 for a missing key, including 0 itself', () => {
    const map = new SlotMap()
    expect(map.get(0)).toBe(0)
    map.set(0, 5)
    expect(map.get(0)).toBe(5)
    expect(map.delete(1)).toBe(false)
  })
})

describe('DenseSlots', () => {
  it('keeps a slot per folio head and 0 elsewhere, allocating blocks as they are touched', () => {
    const pages = 512
    const dense = new DenseSlots(2 ** 20, pages, 4096)
    const ref = new Map<number, number>()
    const random = xorshift32(3)
    for (let i = 0; i < 3000; i++) {
      const head = 2 ** 20 + random(4096) * pages
      dense.set(head, i + 1)
      ref.set(head, i + 1)
    }
    for (let k = 0; k < 4096; k++) expect(dense.get(2 ** 20 + k * pages)).toBe(ref.get(2 ** 20 + k * pages) ?? 0)
  })

  it('covers a region of DENSE_FOLIOS folios to its last one, and writes its slots in folio order', () => {
    // A 64 GiB region of 4 KiB folios: 2^24 of them, 65,536 blocks.
    const base = 2 ** 40
    const dense = new DenseSlots(base, 1, DENSE_FOLIOS)
    const random = xorshift32(9)
    const ref = new Map<number, number>()
    const folios = [0, 1, 255, 256, DENSE_FOLIOS - 257, DENSE_FOLIOS - 256, DENSE_FOLIOS - 1, ...Array.from({ length: 2000 }, () => random(DENSE_FOLIOS))]
    folios.forEach((k, i) => {
      dense.set(base + k, i + 1)
      ref.set(k, i + 1)
    })
    for (const k of [...folios, 2, 257, DENSE_FOLIOS - 2]) expect(dense.get(base + k)).toBe(ref.get(k) ?? 0)
    const inOrder = [...ref.entries()].sort((a, b) => a[0] - b[0]).map(([, slot]) => slot)
    const out: number[] = [-1]
    expect(dense.writeSlots(out, 1)).toBe(1 + inOrder.length)
    expect(out).toEqual([-1, ...inOrder])
  })
})

describe('FolioTable over a dense and a sparse region', () => {
  const kernel = kernelModel('6.17')
  // dax0 (2 MiB compound folios, dense index) and pmem0 (FS DAX, the SlotMap).
  const regions = layoutRegions(
    [
      { name: 'dax0', type: 'devdax', size: 2 ** 32, align: '2MiB' },
      { name: 'pmem0', type: 'fsdax', size: 2 ** 32, fs: 'xfs', mount: '/mnt/pmem0' },
    ],
    4096,
    2 ** 30,
  )

  it('lists records by pfn and finds them over ranges as a Map of heads would', () => {
    const table = new FolioTable(regions, kernel, new Trace(), 9)
    const random = xorshift32(11)
    const made = new Map<number, number>()
    for (let i = 0; i < 2000; i++) {
      const region = regions[random(2)]!
      const pfn = region.basePfn + random(region.nrPages)
      const f = table.folio(pfn)
      const head = region.folioHead(pfn, 9)
      expect(table.head[f]).toBe(head)
      if (made.has(head)) expect(made.get(head)).toBe(f)
      made.set(head, f)
      expect(table.peek(pfn)).toBe(f)
    }
    const byPfn = [...made.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f)
    expect(table.touched()).toEqual(byPfn)
    const overlapping = (from: number, to: number) => byPfn.filter((f) => table.head[f]! + 2 ** table.order[f]! > from && table.head[f]! < to)
    for (const region of regions) {
      // A short range (probed pfn by pfn) and a long one (records scanned).
      const from = region.basePfn + 1000
      expect(table.touchedIn(from, from + 700)).toEqual(overlapping(from, from + 700))
      expect(table.touchedIn(region.basePfn, region.basePfn + region.nrPages)).toEqual(overlapping(region.basePfn, region.basePfn + region.nrPages))
    }
  })

  it('reports every record by pfn with its region and counts (the run result folio list)', () => {
    const table = new FolioTable(regions, kernel, new Trace(), 9)
    const random = xorshift32(5)
    for (let i = 0; i < 500; i++) {
      const region = regions[random(2)]!
      const f = table.folio(region.basePfn + random(region.nrPages))
      table.ref(f, 1 + random(3), 0)
      if (random(2) === 0) table.map(f, 1, 0)
    }
    const expected = table.touched().map((f) => ({
      pfn: '0x' + table.head[f]!.toString(16),
      order: table.order[f]!,
      region: table.region(f).name,
      refcount: table.refcount[f]!,
      mapcount: table.mapcount[f]!,
      pincount: table.pincount[f]!,
    }))
    expect(expected.map((r) => r.region)).toContain('dax0')
    expect(expected.map((r) => r.region)).toContain('pmem0')
    expect(table.results()).toEqual(expected)
  })

  it('lists records by pfn whether it walks the dense indexes or sorts (few records, many, sparse between dense)', () => {
    // A sparse region between two dense ones: a walk in region order must take its records in between.
    const three = layoutRegions(
      [
        { name: 'dax0', type: 'devdax', size: 2 ** 32, align: '2MiB' },
        { name: 'pmem0', type: 'fsdax', size: 2 ** 30, fs: 'xfs', mount: '/mnt/pmem0' },
        { name: 'dax1', type: 'devdax', size: 2 ** 32, align: '4KiB' },
      ],
      4096,
      2 ** 30,
    )
    const table = new FolioTable(three, kernel, new Trace(), 9)
    const random = xorshift32(23)
    const made = new Map<number, number>()
    let touches = 0
    // After 4 and 64 touches it sorts (a walk would read 256 slots per record); after 3,064 and 23,064 it walks.
    for (const upTo of [4, 64, 3064, 23_064]) {
      for (; touches < upTo; touches++) {
        const region = three[touches < 64 ? touches % 3 : random(3)]!
        const pfn = region.basePfn + (region.name === 'dax1' && touches >= 64 ? random(64 * 256) : random(region.nrPages))
        const f = table.folio(pfn)
        made.set(table.head[f]!, f)
      }
      expect(table.touched()).toEqual([...made.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f))
    }
  })

  it('refuses to build a large folio in a region whose folios have fixed extents', () => {
    const table = new FolioTable(regions, kernel, new Trace(), 9)
    expect(() => table.makeLarge(regions[0]!, regions[0]!.basePfn, 9, 0)).toThrow(/only FS DAX folios/)
  })
})
