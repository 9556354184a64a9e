/**
 * A violation in words, as `daxlab run` prints it (main/cli/render.ts violationLines): what was found,
 * then the rule it breaks and what the kernel does about it (main/sim/findings.ts). Runs stored before
 * findings were recorded have neither; the text then says only what was found.
 */
import type { Violation } from '../../../main/sim/result'

export function violationTitle(v: Violation): string {
  const head = `${v.kind}${v.pfn ? ` folio ${v.pfn}` : ''}: ${v.message}`
  return v.consequence ? `${head}\nrule: ${v.rule ?? v.kind}\nconsequence: ${v.consequence}` : head
}

/** The tooltip of a flagged step row: every violation at that step, one block each. */
export function violationsTitle(violations: readonly Violation[]): string {
  return violations.map(violationTitle).join('\n\n')
}
