/**
 * Parsers for CLI option values: each refuses a bad value with one line naming the option and the
 * reason, before any work starts. They throw UsageError (exit 2) rather than commander's
 * InvalidArgumentError, which would print the whole help after it; a bad kernel stays exit 1, as it was.
 */
import { kernelProblem } from '../formats/kernel-field'
import { UsageError } from './usage-error'

/** A whole number >= min written in decimal digits only (`1e0`, `0x1`, `1.5`, `abc` are refused). */
export function wholeNumber(option: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim()
  if (!/^\d+$/.test(t)) throw new UsageError(`${option} '${text}' is not a whole number (write digits only, e.g. 20)`)
  const n = Number(t)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${option} ${t} is out of range (${min} to ${max})`)
  return n
}

/** `--limit <n>` and the like: a parser for commander's option(), named after its option. */
export function positiveInt(option: string): (text: string) => number {
  return (text) => wholeNumber(option, text, 1)
}

/** A stored run id: digits only, so `1e0` or `1.0` is not taken as run 1. */
export function runId(text: string): number {
  if (!isRunId(text)) throw new UsageError(`'${text}' is not a run id (a whole number such as 12; see daxlab runs list)`)
  return Number(text.trim())
}

export function isRunId(text: string): boolean {
  return /^[1-9]\d{0,14}$/.test(text.trim())
}

/** A kernel the engine models; the error is a plain one (exit 1), as the engine's own was. */
export class KernelArgError extends Error {}

export function kernelArg(text: string): string {
  const problem = kernelProblem(text)
  if (problem) throw new KernelArgError(problem)
  return text.trim()
}

export function kernelList(text: string): string[] {
  const list = text.split(',').map((k) => k.trim()).filter(Boolean)
  if (list.length === 0) throw new UsageError('--kernel: give one or more releases, e.g. 6.14,6.17')
  return list.map(kernelArg)
}

export function port(text: string): number {
  return wholeNumber('--port', text, 0, 65535)
}
