/**
 * The kernel a user names (a scenario's `kernel:`, `--kernel`): checked here, before the engine sees it,
 * so every wrong value gets one reason that says what is accepted.
 */
import { compareKernel, formatKernel, parseKernelVersion } from '../../arch/kernel'
import { KERNEL_ALIASES, KNOWN_RELEASES, NAMED_MODELS, OLDEST_MODELLED } from '../sim/kernel-model'
import type { FormatIssue } from './errors'

const NEWEST_NAMED = KNOWN_RELEASES[KNOWN_RELEASES.length - 1]!

/** Why `text` is not a kernel the lab models, or undefined when it is one. */
export function kernelProblem(text: string): string | undefined {
  const name = text.trim()
  // Own keys only: `constructor` or `toString` are not aliases.
  if (Object.hasOwn(KERNEL_ALIASES, name) || Object.hasOwn(NAMED_MODELS, name)) return undefined
  const v = parseKernelVersion(name)
  const aliases = Object.keys(KERNEL_ALIASES).map((a) => `${a} (${KERNEL_ALIASES[a]})`).join(', ')
  if (!v) return `'${text}' is not a kernel release like 6.14 or 6.15.2, nor an alias: ${aliases}, nor a named model: ${Object.keys(NAMED_MODELS).join(', ')}`
  // main/sim/kernel-model.ts resolveKernel models every 6.x from 6.1 and every 7.x.
  if (compareKernel(v, OLDEST_MODELLED) < 0 || v.major > 7) {
    return `kernel ${formatKernel(v)} is not modelled: the lab models ${formatKernel(OLDEST_MODELLED)} and later, up to 7.x (the newest release it names is ${NEWEST_NAMED})`
  }
  return undefined
}

function kernelLiteral(text: string): string | undefined {
  const m = /^kernel:[ \t]*([-+0-9.eE]+)[ \t]*(?:#.*)?$/m.exec(text) ?? /"kernel"\s*:\s*([-+0-9.eE]+)/.exec(text)
  return m?.[1]
}

/**
 * YAML reads `kernel: 6.14` as a number. Take it as the release when the number prints back as the
 * text the user wrote; otherwise (`6.10` reads as 6.1) say to quote it.
 */
export function settleKernelNumber(raw: unknown, text: string): { raw: unknown; issue?: FormatIssue } {
  if (raw === null || typeof raw !== 'object' || !Object.hasOwn(raw, 'kernel')) return { raw }
  const value = (raw as { kernel: unknown }).kernel
  if (typeof value !== 'number') return { raw }
  const literal = kernelLiteral(text)
  if (literal !== undefined && String(value) === literal) return { raw: { ...raw, kernel: literal } }
  const shown = literal ?? String(value)
  return {
    raw,
    issue: { path: 'kernel', reason: `${shown} reads as the number ${value}, not a release: quote it (kernel: "${shown}")` },
  }
}
