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
    const records = [{ op: 'gup', m: long }, { op: 'gup', m: long }, { m: 'gup', op: long }]
    const packed = packRecords(records, 0, records.length, new PackBuffer()).slice()
    const strings = new DataView(packed.buffer).getUint32(12, true)
    // Two shapes, 'gup' once, the long string three times.
    expect(strings).toBe(2 + 1 + 3)
    expect(JSON.stringify(unpackRecords(packed))).toBe(JSON.stringify(records))
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
      const packed = packRecords([{ a: 'x', b: [1, 2], c: 2.5 }, { a: 'y', d: true, e: null }], 0, 2, new PackBuffer()).slice()
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
