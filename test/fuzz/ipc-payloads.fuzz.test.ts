/**
 * Every IPC / web payload, whatever it is, gets an envelope: the service's value when the method's schema
 * accepts it, otherwise one `invalid_request` error that names the method (and the field when there is
 * one). Never a throw, an unhandled rejection or a 500. Payloads are drawn from the contract's own
 * schemas (their keys, valid-looking values and wrong ones) plus arbitrary JSON values; method names
 * include Object prototype members. Checked at the one call path every host uses (`callLab`) and,
 * with fewer cases, over HTTP through the real web bridge.
 */
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { LAB_METHODS, requestSchemas, TOKEN_HEADER, type LabMethod } from '../../main/contract/api'
import { callLab } from '../../main/contract/envelope'
import { startWebBridge, type WebBridge } from '../../main/web/bridge'
import { createFakeLabApi } from '../fakes/lab-api'
import { fuzzRuns, testTimeout } from './budget'

/** The keys a method's object schema declares (none for no-argument methods). */
function keysOf(method: LabMethod): string[] {
  let schema = requestSchemas[method] as z.ZodType & { unwrap?: () => z.ZodType; shape?: Record<string, unknown> }
  while (schema.shape === undefined && typeof schema.unwrap === 'function') schema = schema.unwrap() as typeof schema
  return schema.shape ? Object.keys(schema.shape) : []
}

const value = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom('', 'fsdax-pin-unpin', '6.14', 'x86', 'legacy', 'toString', '__proto__', '\u001b[2J', 'a'.repeat(300)),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom('refcount', 'wait', 'nope'), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
)

/** An object built from the method's own keys (some dropped, some extra), or any JSON value at all. */
function payloadFor(method: LabMethod): fc.Arbitrary<unknown> {
  const keys = keysOf(method)
  const shaped = fc
    .tuple(fc.subarray(keys), fc.array(value, { minLength: keys.length, maxLength: keys.length }), fc.dictionary(fc.constantFrom('extra', '__proto__', 'constructor'), value, { maxKeys: 1 }))
    .map(([chosen, values, extra]) => ({ ...Object.fromEntries(chosen.map((k) => [k, values[keys.indexOf(k)]])), ...extra }))
  return fc.oneof(shaped, fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined), fc.constant({}))
}

const call = fc.constantFrom(...LAB_METHODS).chain((method) => fc.tuple(fc.constant(method), payloadFor(method)))

describe('IPC payloads', () => {
  const runs = fuzzRuns()
  it(
    'get an envelope: the value when the schema accepts the payload, else invalid_request naming the method',
    async () => {
      const service = createFakeLabApi()
      await fc.assert(
        fc.asyncProperty(call, async ([method, payload]) => {
          const result = await callLab(service, method, payload)
          const accepted = (requestSchemas[method] as z.ZodType).safeParse(payload).success
          if (accepted) {
            // The fake service may refuse a well-formed request (an unknown run id): that is data too.
            if (!result.ok) expect(['not_found', 'failed', 'invalid_request', 'cancelled']).toContain(result.error.code)
          } else {
            expect(result.ok).toBe(false)
            if (!result.ok) {
              expect(result.error.code).toBe('invalid_request')
              expect(result.error.message.startsWith(`${method}: `)).toBe(true)
            }
          }
        }),
        { numRuns: runs },
      )
    },
    testTimeout(runs),
  )

  it('answer not_found for names that are not contract methods, prototype members included', async () => {
    const service = createFakeLabApi()
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', ''), fc.string()), async (name) => {
        fc.pre(!(LAB_METHODS as string[]).includes(name))
        const result = await callLab(service, name as LabMethod, {})
        expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } })
      }),
      { numRuns: Math.min(runs, 2000) },
    )
  })
})

describe('web bridge payloads', () => {
  let bridge: WebBridge
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'daxlab-fuzz-bridge-'))
    mkdirSync(join(dir, 'assets'), { recursive: true })
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>')
    bridge = await startWebBridge({ service: createFakeLabApi(), rendererDir: dir })
  })
  afterAll(async () => {
    await bridge.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const runs = fuzzRuns(0.03)
  it(
    'answer 200 with an envelope or 400 naming the problem, never 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(call, fc.boolean(), async ([method, payload], garble) => {
          const body = garble ? JSON.stringify(payload ?? null).slice(0, -1) : payload === undefined ? '' : JSON.stringify(payload)
          const res = await fetch(`${bridge.url}/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: bridge.token }, body })
          expect([200, 400, 404]).toContain(res.status)
          const json = (await res.json()) as { ok: boolean; error?: { message: string } }
          expect(typeof json.ok).toBe('boolean')
          if (!json.ok) expect(json.error!.message.length).toBeGreaterThan(0)
        }),
        { numRuns: runs },
      )
    },
    testTimeout(runs, 20),
  )
})
