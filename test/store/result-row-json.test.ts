/**
 * A run's result row with its folio list written from the engine's columns (FOLIO_SOURCE,
 * main/store/folio-json.ts) holds the bytes the plain path gives, JSON.stringify and gzip of the same
 * result with its folio list made: the stored result, `runs show --json` and the run checksums
 * depend on that text.
 */
import { gunzipSync } from 'node:zlib'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../main/formats/profile'
import { builtinScenarioNames } from '../../main/library/builtins'
import { runScenario } from '../../main/sim/run'
import { folioSourceOf, type FolioColumns, type RunResult } from '../../main/sim/result'
import { folioListJson } from '../../main/store/folio-json'
import { encodeResultRow } from '../../main/store/prepared-run'
import { encodeResult } from '../../main/store/result-codec'
import { devdaxMix, fsdax4k } from '../bench/workloads'
import { builtinProfile } from '../../main/library/index'
import { realRun } from './helpers'

/** What the row held before: encodeResult of the result with empty steps and violations (this reads, and so makes, `folios`). */
function plainRow(result: RunResult): ReturnType<typeof encodeResult> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(result)) copy[key] = key === 'steps' || key === 'violations' ? [] : result[key as keyof RunResult]
  return encodeResult(copy as unknown as RunResult)
}

function columns(rows: { head: number; order: number; region: number; refcount: number; mapcount: number; pincount: number }[], regionNames: string[]): FolioColumns {
  return {
    count: rows.length,
    head: Float64Array.from(rows, (r) => r.head),
    order: Uint8Array.from(rows, (r) => r.order),
    region: Uint16Array.from(rows, (r) => r.region),
    regionNames,
    refcount: Float64Array.from(rows, (r) => r.refcount),
    mapcount: Float64Array.from(rows, (r) => r.mapcount),
    pincount: Float64Array.from(rows, (r) => r.pincount),
  }
}

describe('folioListJson', () => {
  it('writes the UTF-8 of JSON.stringify of the list, for any number and region name', () => {
    const names = ['dax0', 'pmem "0"\\', 'mémoire\u2028x', '']
    const counts = [0, -0, 1, -1, 9, 10, 99, 100, 1023, 1024, 1025, -4096, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 1e21, 1.5, -0.25, NaN, Infinity, -Infinity]
    const heads = [0, 1, 15, 16, 255, 256, 0xabcdef, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 15, 2 ** 36, 2 ** 40 + 5, 2 ** 48 - 1, 2 ** 53 - 1]
    const rows = counts.map((c, i) => ({ head: heads[i % heads.length]!, order: i % 19, region: i % names.length, refcount: c, mapcount: counts[(i + 7) % counts.length]!, pincount: counts[(i + 13) % counts.length]! }))
    // The longest text each field can take, all in one folio: the writer's buffer is sized for it.
    const longest = -1.2345678901234567e-6
    expect(String(longest)).toHaveLength(25)
    const worst = { head: 2 ** 53 - 1, order: 255, region: 2, refcount: longest, mapcount: longest, pincount: -1.7976931348623157e308 }
    rows.push(worst)
    const alone = [{ pfn: '0x' + worst.head.toString(16), order: 255, region: names[2], refcount: longest, mapcount: longest, pincount: worst.pincount }]
    expect(Buffer.from(folioListJson(columns([worst], names))).toString('utf8')).toBe(JSON.stringify(alone))
    const list = rows.map((r) => ({ pfn: '0x' + r.head.toString(16), order: r.order, region: names[r.region], refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount }))
    expect(Buffer.from(folioListJson(columns(rows, names))).toString('utf8')).toBe(JSON.stringify(list))
    expect(Buffer.from(folioListJson(columns([], names))).toString('utf8')).toBe('[]')
  })
})

describe('folioListJson', () => {
  it('writes a list too long for its kept area into a buffer of its own, and a short one after it into the area', () => {
    // 250k folios of at most 90 bytes each (as the writer sizes them) are past the 16 MiB it keeps between calls.
    const names = ['dax0', 'dax1']
    const rows = Array.from({ length: 250_000 }, (_, i) => ({ head: 2 ** 33 + 512 * i, order: 9, region: i % 2, refcount: i % 5, mapcount: i % 3, pincount: i % 7 === 0 ? 1024 : 0 }))
    const text = (r: (typeof rows)[number]) => ({ pfn: '0x' + r.head.toString(16), order: r.order, region: names[r.region], refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount })
    const big = folioListJson(columns(rows, names))
    expect(Buffer.from(big).toString('utf8')).toBe(JSON.stringify(rows.map(text)))
    const small = folioListJson(columns(rows.slice(0, 3), names))
    expect(Buffer.from(small).toString('utf8')).toBe(JSON.stringify(rows.slice(0, 3).map(text)))
    expect(small.buffer).not.toBe(big.buffer)
  })

  it('sizes a buffer of its own exactly enough for folios that all take the widest text', () => {
    // Past the kept area, the buffer is as large as the widths computed from the columns' extremes
    // say: with every folio at those extremes the text fills it, so a width one byte short would cut it.
    const names = ['dax0']
    const rows = Array.from({ length: 140_000 }, (_, i) => ({ head: 2 ** 53 - 1 - i, order: 255, region: 0, refcount: -(2 ** 53 - 1) + i, mapcount: 2 ** 53 - 1 - i, pincount: -1e15 - i }))
    const text = (r: (typeof rows)[number]) => ({ pfn: '0x' + r.head.toString(16), order: r.order, region: names[r.region], refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount })
    const json = folioListJson(columns(rows, names))
    expect(json.byteLength).toBeGreaterThan(16 * 2 ** 20)
    expect(json.byteLength).toBe(json.buffer.byteLength - 1) // every folio but the last has a comma after it
    expect(Buffer.from(json).toString('utf8')).toBe(JSON.stringify(rows.map(text)))
  })
})

describe('folioListJson on random lists', () => {
  // Counts as the engine holds them (integers, negative after an underflow, past 2^53 never in
  // practice) and any other double; pfns as safe non-negative integers; any region names.
  const count = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.maxSafeInteger(), fc.double())
  const folio = (regions: number) =>
    fc.record({ head: fc.maxSafeNat(), order: fc.integer({ min: 0, max: 255 }), region: fc.integer({ min: 0, max: regions - 1 }), refcount: count, mapcount: count, pincount: count })
  const list = fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 4 }).chain((names) => fc.tuple(fc.constant(names), fc.array(folio(names.length), { maxLength: 40 })))
  fcTest.prop([list])('is the UTF-8 of JSON.stringify of the list', ([names, rows]) => {
    const made = rows.map((r) => ({ pfn: '0x' + r.head.toString(16), order: r.order, region: names[r.region], refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount }))
    expect(Buffer.from(folioListJson(columns(rows, names))).toString('utf8')).toBe(JSON.stringify(made))
  })
})

describe('encodeResultRow', () => {
  for (const kernel of ['6.14', '6.17']) {
    it(`stores the plain path's bytes on every built-in scenario (${kernel})`, () => {
      for (const name of builtinScenarioNames()) {
        const { result } = realRun(name, kernel)
        expect(folioSourceOf(result), name).toBeDefined()
        const row = encodeResultRow(result)
        expect(row, name).toEqual(plainRow(result))
      }
    })

    it(`writes long folio lists from the columns, to the same gzip bytes (${kernel})`, () => {
      const runs: [RunResult, number][] = []
      const mix = devdaxMix(3000, 1000)
      runs.push([runScenario(mix, mix.profile as Profile, { kernel }).result, 256])
      const fsdax = fsdax4k(builtinProfile('x86-pmem-1tib')!, 2000, 700)
      runs.push([runScenario(fsdax, fsdax.profile as Profile, { kernel }).result, 256])
      for (const [result, atLeast] of runs) {
        expect(folioSourceOf(result)!.count).toBeGreaterThanOrEqual(atLeast)
        const row = encodeResultRow(result)
        // The list was not made to write the row.
        expect(folioSourceOf(result)).toBeDefined()
        expect(row.codec).toBe('gzip')
        const plain = plainRow(result)
        expect(folioSourceOf(result)).toBeUndefined()
        expect(Buffer.from(row.data as Buffer).equals(plain.data as Buffer)).toBe(true)
        expect(JSON.parse(gunzipSync(row.data as Buffer).toString('utf8')).folios).toEqual(result.folios)
      }
    })
  }

  it('writes a folio list changed after it was made as it now is', () => {
    const mix = devdaxMix(3000, 1000)
    const { result } = runScenario(mix, mix.profile as Profile, { kernel: '6.17' })
    const changed = [{ ...result.folios[0]!, refcount: 99 }]
    ;(result as { folios: unknown[] }).folios = changed
    const row = encodeResultRow(result)
    const text = row.codec === 'gzip' ? gunzipSync(row.data as Buffer).toString('utf8') : (row.data as string)
    expect(JSON.parse(text).folios).toEqual(changed)
  })
})
