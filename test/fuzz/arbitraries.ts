/**
 * Arbitraries for user documents, derived from the zod schemas: keys come from each object schema's
 * shape (every step operation's arguments, the profile and region fields), values from pools typed after
 * what the fields accept plus the values that broke parsers before (prototype names, deep nesting,
 * control characters, numbers YAML reads in surprising ways).
 */
import { fc } from '@fast-check/vitest'
import type { z } from 'zod'
import { profileSchema, regionSchema } from '../../main/formats/profile'
import { scenarioSchema, STEP_ARGS, STEP_OPS } from '../../main/formats/scenario'

function shapeKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape
  return shape ? Object.keys(shape) : []
}

const NASTY_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'x'.repeat(80)]
const NASTY_STRINGS = ['', ' ', '6.10', '6.14', '8.0', 'legacy', 'constructor', '__proto__', '\u001b[31m', '\u202e', '../../etc/passwd', '/mnt/pmem0/f', 'm', 'main', '0x', '1e309', 'NaN', '-0']
const SIZES = ['4KiB', '2MiB', '1GiB', '1TiB', '5PiB', '0', '4096', '0x1000', '12 parsecs', '16GB', '-1', '9007199254740993']

// Pools over free generation: cheap to draw (10,000 cases per parser fit CI's budget) and aimed at edges.
const scalar = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...SIZES),
  fc.constantFrom(0, 1, -1, 0.5, 6.1, 6.14, 1e21, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, true, false, null),
  fc.integer(),
)

/** Any JSON-ish value, small (at most 3 levels); deep nesting has its own arbitrary below. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'any' },
    scalar,
    fc.array(tie('value'), { maxLength: 3, depthIdentifier: 'any' }),
    fc.dictionary(fc.constantFrom(...NASTY_KEYS, 'a', 'b', 'map', 'size'), tie('value'), { maxKeys: 3, depthIdentifier: 'any' }),
  ),
})).value

const deep = fc.integer({ min: 60, max: 200 }).map((n) => {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v }
  return v
})

/** An object with keys from a schema's shape (mostly), values typed loosely, sometimes an unknown key. */
function objectOf(keys: readonly string[], extra: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): fc.Arbitrary<Record<string, unknown>> {
  const known: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fc.constantFrom(...keys), fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: anyValue }), { maxKeys: keys.length })
  const none: fc.Arbitrary<Record<string, unknown>> = fc.constant({})
  return fc.tuple(known, fc.oneof({ weight: 5, arbitrary: none }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...NASTY_KEYS, 'bogus'), anyValue, { maxKeys: 2 }) }), extra).map(([a, b, c]) => {
    // Plain assignment on a fresh object keeps `__proto__` a data key only via defineProperty.
    const out: Record<string, unknown> = {}
    for (const src of [a, b, c]) for (const k of Object.keys(src)) Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true })
    return out
  })
}

const stepOps = [...STEP_OPS, ...NASTY_KEYS.slice(0, 5), 'frobnicate']
export const step: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...stepOps).chain((op) => (Object.hasOwn(STEP_ARGS, op) ? objectOf(shapeKeys(STEP_ARGS[op as keyof typeof STEP_ARGS])) : anyValue).map((args) => ({ [op]: args }))) },
  { weight: 1, arbitrary: anyValue },
)

const regionTypes = (regionSchema as unknown as { options: z.ZodType[] }).options
const regionKeys = [...new Set(regionTypes.flatMap(shapeKeys))]
export const region = objectOf(regionKeys, fc.record({ type: fc.constantFrom('fsdax', 'devdax', 'device-private', 'device-coherent', 'p2pdma', 'system-ram', 'bogus') }, { requiredKeys: [] }))

export const profile = fc
  .tuple(objectOf(shapeKeys(profileSchema)), fc.array(region, { maxLength: 4 }), fc.constantFrom('x86', 'arm64', 'powerpc', 'riscv', 'loongarch', 'sparc'))
  .map(([p, regions, arch]) => ({ arch, ...p, regions }))

export const scenario = fc
  .tuple(objectOf(shapeKeys(scenarioSchema)), fc.oneof(fc.constantFrom('x86-pmem-fsdax', 'nope', 'constructor'), profile), fc.array(step, { maxLength: 6 }), fc.option(deep, { freq: 50 }))
  .map(([s, prof, steps, d]) => ({ name: 'n', description: 'd', ...s, profile: prof, steps, ...(d ? { tags: d } : {}) }))
