import { fc, test } from '@fast-check/vitest'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtinScenarioNames } from '../../main/library/index'
import { PackBuffer, packRecords, unpackRecords } from '../../main/store/record-codec'
import { TraceStore } from '../../main/store/trace-store'
import { realRun, tempDir } from './helpers'

/** Records as results hold them: flat objects of strings, numbers, booleans, null, nested JSON, and keys left undefined. */
const value = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(-0),
  fc.constant(2 ** 31),
  fc.constant(-(2 ** 31) - 1),
  fc.jsonValue(),
)
const record = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'index', '0', '12', 'constructor')), value, { maxKeys: 8 })

describe('record chunks', () => {
  test.prop([fc.array(record, { maxLength: 40 })], { numRuns: 400 })('round-trip to the same JSON text, key order included', (records) => {
    const buf = new PackBuffer()
    const packed = packRecords(records, 0, records.length, buf)
    expect(JSON.stringify(unpackRecords(packed.slice()))).toBe(JSON.stringify(records))
  })

  it('packs a slice and reuses its buffer', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ index: i, op: i % 2 ? 'gup' : 'access', message: `m${i % 3}` }))
    const buf = new PackBuffer()
    const first = packRecords(records, 10, 20, buf).slice()
    const again = packRecords(records, 10, 20, buf)
    expect(again.buffer).toBe(buf.bytes.buffer)
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true)
    expect(unpackRecords(first)).toEqual(records.slice(10, 30))
  })

  it('keeps lists of strings, lists with holes and mixed lists as JSON prints them', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holes = [, 'a', , 'b']
    const records = [{ notes: ['pud: fallback', 'pmd: mapped'] }, { notes: [] }, { notes: holes }, { notes: ['x', 1, null] }, { notes: ['é', '\u0000', 'x'.repeat(100)] }]
    const packed = packRecords(records, 0, records.length, new PackBuffer()).slice()
    expect(JSON.stringify(unpackRecords(packed))).toBe(JSON.stringify(records))
  })

  it('packs records that are not plain objects (class instances, no prototype, an enumerable inherited key), and records under a polluted Object.prototype, by their own keys', () => {
    class Step {
      constructor(
        readonly index: number,
        readonly op: string,
      ) {}
    }
    const bare = Object.assign(Object.create(null) as object, { index: 2, op: 'put' })
    // An inherited enumerable key, which for-in would walk and JSON.stringify does not print.
    const derived = Object.assign(Object.create({ inherited: 'no' }) as object, { index: 4, op: 'unpin' })
    const records = [{ index: 0, op: 'gup' }, new Step(1, 'gup'), bare, { index: 3, op: 'gup', skipped: undefined }, derived]
    const plain = JSON.stringify(records)
    expect(JSON.stringify(unpackRecords(packRecords(records, 0, records.length, new PackBuffer()).slice()))).toBe(plain)
    const proto = Object.prototype as Record<string, unknown>
    Object.defineProperty(proto, 'polluted', { value: 'x', enumerable: true, configurable: true, writable: true })
    try {
      expect(JSON.stringify(unpackRecords(packRecords(records, 0, records.length, new PackBuffer()).slice()))).toBe(plain)
    } finally {
      delete proto.polluted
    }
  })

  it('stores a short string once per chunk and a long one each time it occurs', () => {
    const long = 'x'.repeat(49)
    // The second record differs from the first, so it is not stored as a reference to it.
    const records = [{ op: 'gup', m: long }, { op: 'put', m: long }, { m: 'gup', op: long }]
    const packed = packRecords(records, 0, records.length, new PackBuffer()).slice()
    const strings = new DataView(packed.buffer).getUint32(12, true)
    // Two shapes, 'gup' and 'put' once, the long string three times.
    expect(strings).toBe(2 + 2 + 3)
    expect(JSON.stringify(unpackRecords(packed))).toBe(JSON.stringify(records))
  })

  it('stores a record that repeats an earlier one but for its counting index as a 4-byte reference, in objects of its own', () => {
    const notes = ['pmd: mapped']
    const cycle = [
      { op: 'gup', task: 'main', status: 'ok', waited: false, notes, message: '16 pages pinned' },
      { op: 'unpin', task: 'main', status: 'ok', waited: false },
      { op: 'access', task: 'io', status: 'ok', waited: false, notes },
    ]
    const records = Array.from({ length: 300 }, (_, i) => ({ index: 1000 + i, ...cycle[i % 3]! }))
    const packed = packRecords(records, 0, records.length, new PackBuffer(), 1000).slice()
    const full = packRecords(records.slice(0, 3), 0, 3, new PackBuffer(), 1000).length
    // Three full records, then 297 references of 4 bytes each.
    expect(packed.length).toBe(full + 297 * 4)
    const back = unpackRecords(packed) as { index: number; notes?: string[] }[]
    expect(JSON.stringify(back)).toBe(JSON.stringify(records))
    back[3]!.notes!.push('changed')
    expect(back[0]!.notes).toEqual(['pmd: mapped'])
    expect(back[6]!.notes).toEqual(['pmd: mapped'])
  })

  it('counts only from the chunk\'s first record number: with another `first`, the same records are stored in full', () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ index: i, op: 'gup', count: 5 }))
    const counted = packRecords(records, 0, records.length, new PackBuffer(), 0).slice()
    const shifted = packRecords(records, 0, records.length, new PackBuffer(), 7).slice()
    expect(counted.length).toBeLessThan(shifted.length)
    expect(JSON.stringify(unpackRecords(counted))).toBe(JSON.stringify(records))
    expect(JSON.stringify(unpackRecords(shifted))).toBe(JSON.stringify(records))
  })

  const pool = [{ op: 'gup', n: 0 }, { op: 'gup', n: 1, x: null }, { op: 'put', n: -0 }, { op: 'put', n: 2.5, l: ['a'] }, { op: 'zap', n: 3, o: { k: [1] } }, { n: 2 ** 31 + 1 }, { n: NaN }]
  test.prop([fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), fc.boolean(), fc.boolean()), { maxLength: 60 }), fc.nat({ max: 2 ** 31 + 5 })], { numRuns: 400 })(
    'records drawn from a few, some counting with their position, round-trip to the same JSON text',
    (draws, first) => {
      // `index` counts with the position (or not), and `n` sometimes equals it too: both cases of the
      // reference's rule that a number equal to first + t is first + r.
      const records = draws.map(([p, counts, nCounts], i) => ({ index: counts ? first + i : 7, ...pool[p], ...(nCounts ? { n: first + i } : {}) }))
      const packed = packRecords(records, 0, records.length, new PackBuffer(), first).slice()
      expect(JSON.stringify(unpackRecords(packed))).toBe(JSON.stringify(records))
    },
  )

  test.prop([fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), fc.boolean()), { maxLength: 40 })], { numRuns: 200 })(
    'records and their JSON copy pack to the same bytes, shared lists and NaN included',
    (draws) => {
      const shared = ['pmd: mapped']
      const records = draws.map(([p, counts], i) => ({ index: counts ? i : 7, ...pool[p], notes: shared, f: p === 6 ? Infinity : 1 }))
      const copy = JSON.parse(JSON.stringify(records)) as object[]
      const a = Buffer.from(packRecords(records, 0, records.length, new PackBuffer()))
      const b = Buffer.from(packRecords(copy, 0, copy.length, new PackBuffer()))
      expect(a.equals(b)).toBe(true)
    },
  )

  it('reads a chunk of format version 1, as stores of schema 6 and earlier hold', () => {
    // Packed by the version 1 encoder (main/store/record-codec.ts before templates).
    const v1 = Buffer.from(
      'RFhSQwEAAAAEAAAADQAAAAMAAAACAQAAJwAAAAQAAAAEAAAAAgAAADkAAAADAAAACwAAAA8AAAAFAAAAOQAAAAUAAAAGAAAAMgAAAFsiaW5kZXgiLCJvcCIsInRhc2siLCJzdGF0dXMiLCJ3YWl0ZWQiXW1tYXBtYWlub2tbImluZGV4Iiwib3AiLCJ0YXNrIiwic3RhdHVzIiwid2FpdGVkIiwibm90ZXMiLCJtZXNzYWdlIl1ndXBwbWQ6IG1hcHBlZDE2IHBhZ2VzIHBpbm5lZHVucGluWyJpbmRleCIsIm9wIiwidGFzayIsInN0YXR1cyIsIndhaXRlZCIsImVycm9yIiwibWVzc2FnZSJdZXJyb3JFRkFVTFR4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eAAAAAAEAAAACQAAAAAAAAADAAAAAAUBAAAABQIAAAAFAwAAAAEBAAAAAwEAAAAFBQAAAAUCAAAABQMAAAABBwEAAAAGAAAABQcAAAAAAAAAAwIAAAAFCAAAAAUCAAAABQMAAAABAgAAAAMDAAAABQUAAAAFAgAAAAUKAAAAAQULAAAABQwAAAA=',
      'base64',
    )
    expect(v1[4]).toBe(1)
    expect(unpackRecords(v1)).toEqual([
      { index: 0, op: 'mmap', task: 'main', status: 'ok', waited: false },
      { index: 1, op: 'gup', task: 'main', status: 'ok', waited: false, notes: ['pmd: mapped'], message: '16 pages pinned' },
      { index: 2, op: 'unpin', task: 'main', status: 'ok', waited: false },
      { index: 3, op: 'gup', task: 'main', status: 'error', waited: false, error: 'EFAULT', message: 'x'.repeat(50) },
    ])
  })

  it('refuses a reference to a later record or to another reference, and a record count its bytes cannot hold', () => {
    const records = [{ index: 0, op: 'gup' }, { index: 1, op: 'gup' }, { index: 2, op: 'gup' }]
    const packed = packRecords(records, 0, 3, new PackBuffer()).slice()
    const view = new DataView(packed.buffer)
    const refs = packed.length - 8
    expect(view.getUint32(refs, true)).toBe(0x80000000)
    const forward = packed.slice()
    new DataView(forward.buffer).setUint32(refs, 0x80000002, true)
    expect(() => unpackRecords(forward)).toThrow(/record 1 refers to record 2, which does not come before it/)
    const chained = packed.slice()
    new DataView(chained.buffer).setUint32(refs + 4, 0x80000001, true)
    expect(() => unpackRecords(chained)).toThrow(/record 2 refers to record 1, itself a reference/)
    const many = packed.slice()
    new DataView(many.buffer).setUint32(8, 0xffffffff, true)
    expect(() => unpackRecords(many)).toThrow(/4294967295 records cannot fit in/)
    expect(() => packRecords(records, 0, 3, new PackBuffer(), -1)).toThrow(/first -1 is not a u32/)
  })

  it('rejects malformed chunks with a reason, never a crash', () => {
    const packed = packRecords([{ a: 'x', b: 1 }], 0, 1, new PackBuffer()).slice()
    expect(() => unpackRecords(packed.subarray(0, 10))).toThrow(/shorter than its header/)
    expect(() => unpackRecords(packed.subarray(0, packed.length - 1))).toThrow(/record chunk is malformed/)
    const badMagic = packed.slice()
    badMagic[0] = 0
    expect(() => unpackRecords(badMagic)).toThrow(/magic/)
  })

  test.prop([fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat({ max: 60 })], { numRuns: 500 })(
    'damaged chunks decode or fail with an error, never hang or crash',
    (flips, cut) => {
      const records = [{ a: 'x', b: [1, 2], c: 2.5 }, { a: 'y', d: true, e: null }, { i: 2, a: 'z' }, { i: 3, a: 'z' }, { i: 4, a: 'z' }]
      const packed = packRecords(records, 0, records.length, new PackBuffer()).slice()
      for (const [at, byte] of flips) packed[at % packed.length] = byte
      const data = packed.subarray(0, Math.max(0, packed.length - cut))
      try {
        unpackRecords(data)
      } catch (e) {
        expect(e).toBeInstanceOf(Error)
        expect((e as Error).message).toMatch(/^record chunk is malformed: /)
      }
    },
  )
})

describe('stored results', () => {
  it('come back byte for byte for every built-in scenario under both reference-counting schemes', () => {
    const store = TraceStore.open(join(tempDir(), 'db.sqlite'), { chunkRecords: 3 })
    try {
      for (const name of builtinScenarioNames()) {
        for (const kernel of ['6.14', '6.17']) {
          const input = realRun(name, kernel)
          const id = store.saveRun(input)
          expect(JSON.stringify(store.getRun(id)!.result, null, 2), `${name} ${kernel}`).toBe(JSON.stringify(input.result, null, 2))
        }
      }
    } finally {
      store.close()
    }
  })
})
