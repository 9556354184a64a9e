import { describe, expect, it } from 'vitest'
import { EVENT_KIND_NAMES, type EventKind, EventLog } from '../../main/sim/events'
import { BYTES_PER_EVENT, CHUNK_HEADER_BYTES, chunkBytes, decodeEvent, packChunk, swapBytes, unpackChunk } from '../../main/store/event-codec'
import { eventChunks } from '../../main/store/prepared-run'

/** A log exercising every column's edge values: negative steps, NaN, -0, huge pfns, 64-bit entries. */
function edgeLog(): EventLog {
  const log = new EventLog(4)
  const t = [log.taskId('main'), log.taskId('dio')]
  const c = [log.causeId('fault'), log.causeId('gup')]
  const values = [0, -0, 1, -1, 2 ** 53 - 1, NaN, Infinity, 1.5]
  for (let i = 0; i < 50; i++) {
    const kind = (i % EVENT_KIND_NAMES.length) as EventKind
    log.push(i - 1, t[i % 2]!, kind, i % 4, values[i % values.length]!, values[(i + 3) % values.length]!, i * 1024, c[i % 2]!, i === 17 ? 0xffff_ffff_ffff_fff0n : BigInt(i) * 0x1234_5678_9abc_defn)
  }
  return log
}

describe('event chunk codec', () => {
  it('round-trips a slice bit for bit and decodes like EventLog.decode', () => {
    const log = edgeLog()
    const chunk = packChunk(log.columns(), 10, 30)
    expect(chunk.data.byteLength).toBe(CHUNK_HEADER_BYTES + BYTES_PER_EVENT * 30)
    const cols = unpackChunk(chunk.data)
    expect(cols.count).toBe(30)
    for (let i = 0; i < 30; i++) {
      expect(Object.is(cols.pfn[i], log.pfn[10 + i])).toBe(true) // NaN and -0 included
      expect(decodeEvent(cols, i, 10 + i, log.tasks, log.causes)).toEqual(log.decode(10 + i))
    }
    expect(cols.entry.some((e) => e > 2n ** 63n)).toBe(true)
  })

  it('packs into a reused buffer the same bytes as into a new one, whatever it held', () => {
    const log = edgeLog()
    // The engine's log writes only the entries that exist: a reused buffer must not keep old ones.
    const buffer = new ArrayBuffer(chunkBytes(30) + 7)
    new Uint8Array(buffer).fill(0xa5)
    for (const [start, count] of [[0, 30], [17, 25], [40, 10]] as const) {
      const reused = packChunk(log, start, count, buffer)
      expect(reused.data.buffer).toBe(buffer)
      expect(Array.from(reused.data)).toEqual(Array.from(packChunk(log, start, count).data))
      expect(Array.from(reused.data)).toEqual(Array.from(packChunk(log.columns(), start, count).data))
    }
    expect(() => packChunk(log, 0, 31, buffer)).toThrow(/needs 1318 bytes/)
  })

  it('eventChunks packs into the buffers a supplier hands it, and into new ones when it has none', () => {
    const log = edgeLog() // 50 events: chunks of 16, 16, 16 and 2
    const asked: number[] = []
    const handed: ArrayBuffer[] = []
    const supply = (bytes: number) => {
      asked.push(bytes)
      if (asked.length === 2) return undefined // none back yet
      const dirty = new ArrayBuffer(chunkBytes(16))
      new Uint8Array(dirty).fill(0x5a)
      handed.push(dirty)
      return dirty
    }
    const supplied = [...eventChunks(log, 16, 100, 7, supply)]
    const fresh = [...eventChunks(log, 16, 100, 7)]
    expect(asked).toEqual([chunkBytes(16), chunkBytes(16), chunkBytes(16), chunkBytes(2)])
    expect(supplied[0]!.data.buffer).toBe(handed[0])
    expect(handed).not.toContain(supplied[1]!.data.buffer)
    expect(supplied[2]!.data.buffer).toBe(handed[1])
    expect(supplied[3]!.data.buffer).toBe(handed[2])
    expect(supplied.map((c) => ({ ...c, data: Array.from(c.data) }))).toEqual(fresh.map((c) => ({ ...c, data: Array.from(c.data) })))
  })

  it('summarises step range and kinds', () => {
    const log = edgeLog()
    const chunk = packChunk(log.columns(), 0, 3) // steps -1..1, kinds 0..2
    expect([chunk.stepMin, chunk.stepMax, chunk.kinds]).toEqual([-1, 1, 0b111])
  })

  it('reads BLOBs at unaligned offsets', () => {
    const chunk = packChunk(edgeLog().columns(), 0, 20)
    const shifted = new Uint8Array(chunk.data.byteLength + 3)
    shifted.set(chunk.data, 3)
    const cols = unpackChunk(shifted.subarray(3))
    expect(Array.from(cols.step)).toEqual(Array.from(unpackChunk(chunk.data).step))
  })

  it('rejects slices past the end of the columns and damaged chunks', () => {
    const log = edgeLog()
    expect(() => packChunk(log.columns(), 40, 20)).toThrow(RangeError)
    const data = packChunk(log.columns(), 0, 5).data
    expect(() => unpackChunk(data.subarray(0, data.length - 1))).toThrow(/bytes/)
    const bad = data.slice()
    bad[0] = 0
    expect(() => unpackChunk(bad)).toThrow(/magic/)
  })

  it('swaps byte order per element (the big-endian path)', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])
    swapBytes(bytes, 4)
    expect(Array.from(bytes)).toEqual([4, 3, 2, 1, 8, 7, 6, 5])
    swapBytes(bytes, 8)
    expect(Array.from(bytes)).toEqual([5, 6, 7, 8, 1, 2, 3, 4])
  })
})
