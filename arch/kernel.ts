/**
 * Kernel release numbers as the arch layouts and the engine key them.
 *
 * Layouts and refcount rules change between releases (x86 devmap moved from bit 58 to 57 in 6.6; all
 * devmap bits vanished in 6.17), so every query carries a release. `patch` is kept because a few
 * regressions live in one point release only (e.g. 6.15.0 and the xas_pause skip).
 */
export interface KernelVersion {
  readonly major: number
  readonly minor: number
  /** Point release; undefined means "the .0 release and every stable update alike". */
  readonly patch?: number
}

/** Half-open range [from, until). A missing bound is open. */
export interface KernelRange {
  readonly from?: string
  readonly until?: string
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/

export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = VERSION_RE.exec(text.trim())
  if (!m) return undefined
  const version: KernelVersion = { major: Number(m[1]), minor: Number(m[2]) }
  return m[3] === undefined ? version : { ...version, patch: Number(m[3]) }
}

export function kernel(text: string): KernelVersion {
  const v = parseKernelVersion(text)
  if (!v) throw new Error(`not a kernel version: '${text}'`)
  return v
}

export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0)
}

export function formatKernel(v: KernelVersion): string {
  return v.patch === undefined ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`
}

export function inKernelRange(v: KernelVersion, range: KernelRange | undefined): boolean {
  if (!range) return true
  if (range.from !== undefined && compareKernel(v, kernel(range.from)) < 0) return false
  if (range.until !== undefined && compareKernel(v, kernel(range.until)) >= 0) return false
  return true
}

export function formatKernelRange(range: KernelRange | undefined): string {
  if (!range || (range.from === undefined && range.until === undefined)) return 'all'
  if (range.until === undefined) return `${range.from}+`
  const last = kernel(range.until)
  const prev = last.minor > 0 ? `${last.major}.${last.minor - 1}` : `<${range.until}`
  return range.from === undefined ? `..${prev}` : `${range.from}..${prev}`
}
