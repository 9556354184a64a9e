/**
 * The sweep matrix: every (scenario, kernel, arch, variant) a `daxlab sweep` asks for, in one fixed
 * order, each either pending or skipped with the reason the machine cannot run it. Planning runs no
 * scenario: the machine checks are the engine's own (checkProfile), so a skip here is exactly a run
 * that would have been refused.
 */
import { archIds, getArch } from '../../arch/index'
import type { Profile } from '../formats/profile'
import { kernelModel } from '../sim/kernel-model'
import { checkProfile } from '../sim/run'
import { ModelError } from '../sim/errors'
import { ArchError } from '../../arch/entry'
import { canonicalJson, sha256 } from '../store/result-codec'
import type { PlannedItem } from '../store/sessions/session-store'

export class SweepInputError extends Error {}

export interface SweepScenario {
  readonly name: string
  readonly text: string
  readonly profile: Profile
}

export interface SweepRequest {
  readonly scenarios: readonly SweepScenario[]
  readonly kernels: readonly string[]
  /** Arch ids, or ['all'] for every registered plugin. */
  readonly arches: readonly string[]
  /** undefined: each arch's default (the profile's own on its own arch); ['all']: every variant. */
  readonly variants?: readonly string[]
}

export interface Shard {
  /** 1-based. */
  readonly index: number
  readonly count: number
}

export interface Matrix {
  readonly items: PlannedItem[]
  /** Identifies the whole matrix (all shards): same inputs, same hash. */
  readonly hash: string
}

/** Parses `--shard I/N` (1 <= I <= N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || count < 1 || index < 1 || index > count) throw new SweepInputError(`--shard: '${text}' is not I/N with 1 <= I <= N (e.g. 2/4)`)
  return { index, count }
}

/** Combination idx belongs to shard I/N when idx mod N = I - 1: deterministic, and balanced across the matrix order. */
export function inShard(idx: number, shard: Shard | undefined): boolean {
  return shard === undefined || idx % shard.count === shard.index - 1
}

export function resolveArches(list: readonly string[]): string[] {
  if (list.length === 1 && list[0] === 'all') return archIds()
  const known = new Set(archIds())
  for (const a of list) if (!known.has(a)) throw new SweepInputError(`--arch: unknown arch '${a}' (one of: ${archIds().join(', ')}, or all)`)
  return [...new Set(list)]
}

export function checkKernels(list: readonly string[]): void {
  if (list.length === 0) throw new SweepInputError('--kernel: give at least one release, e.g. 6.14,6.17')
  for (const k of list) {
    try {
      kernelModel(k)
    } catch (e) {
      throw new SweepInputError(`--kernel: ${(e as Error).message}`)
    }
  }
}

/** Variants to try on an arch; a requested variant the arch lacks comes back with the skip reason. */
function variantsFor(archId: string, profile: Profile, wanted: readonly string[] | undefined): { variant: string; missing?: string }[] {
  const plugin = getArch(archId)
  const names = plugin.variants.map((v) => v.name)
  if (wanted === undefined) return [{ variant: (archId === profile.arch ? profile.variant : undefined) ?? plugin.defaultVariant }]
  if (wanted.length === 1 && wanted[0] === 'all') return names.map((variant) => ({ variant }))
  return wanted.map((variant) => (names.includes(variant) ? { variant } : { variant, missing: `${archId} has no variant '${variant}' (one of: ${names.join(', ')})` }))
}

export function planMatrix(request: SweepRequest): Matrix {
  checkKernels(request.kernels)
  const arches = resolveArches(request.arches)
  const items: PlannedItem[] = []
  const keys: string[] = []
  // Many scenarios share a profile: the machine check (an arch view per call) runs once per machine.
  const reasons = new Map<string, string | undefined>()
  for (const sc of request.scenarios) {
    const profileHash = sha256(canonicalJson(sc.profile))
    const scenarioHash = sha256(sc.text)
    for (const kernel of request.kernels) {
      for (const arch of arches) {
        for (const { variant, missing } of variantsFor(arch, sc.profile, request.variants)) {
          const machine = JSON.stringify([profileHash, kernel, arch, variant])
          if (missing === undefined && !reasons.has(machine)) reasons.set(machine, skipReason(sc.profile, kernel, arch, variant))
          const reason = missing ?? reasons.get(machine)
          const base = { idx: items.length, scenarioName: sc.name, scenarioText: sc.text, profile: sc.profile, kernel, arch, variant }
          items.push(reason === undefined ? { ...base, status: 'pending' } : { ...base, status: 'skipped', reason })
          keys.push(JSON.stringify([scenarioHash, profileHash, kernel, arch, variant]))
        }
      }
    }
  }
  return { items, hash: sha256(keys.join('\n')) }
}

/** Why the engine would refuse this machine (no ZONE_DEVICE, an align the variant lacks), or undefined. */
function skipReason(profile: Profile, kernel: string, arch: string, variant: string): string | undefined {
  try {
    checkProfile(profile, { kernel, arch, variant })
    return undefined
  } catch (e) {
    if (e instanceof ModelError || e instanceof ArchError) return e.message
    throw e
  }
}

/** `*` and `?` globs over built-in names; anything else matches literally. */
export function globMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$')
  return (name) => re.test(name)
}
