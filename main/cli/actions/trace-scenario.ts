/**
 * `import-trace --to-scenario OUT.yaml`: writes the scenario the trace suggests (main/trace-import/to-scenario.ts),
 * after checking that it validates and runs, and sets the run's probes beside the trace's counts.
 */
import { writeFileSync } from 'node:fs'
import { parseScenarioText } from '../../formats/load'
import { resolveProfile } from '../../library/index'
import { runScenario } from '../../sim/run'
import { compareReplay, type ReplayDisagreement, type ScenarioProposal } from '../../trace-import/to-scenario'

export interface WrittenProposal {
  readonly file: string
  readonly steps: number
  readonly kernel: string
  readonly notes: readonly string[]
  readonly probes: number
  readonly disagreements: ReplayDisagreement[]
}

/** Validates and replays the proposal, then writes it; an empty proposal is refused (nothing written). */
export function writeProposal(proposal: ScenarioProposal, out: string, runId: number): WrittenProposal {
  if (proposal.steps === 0) throw new Error(`--to-scenario: nothing written to ${out}: ${proposal.notes.at(-1) ?? 'no step inferred'} (the trace was stored as run ${runId})`)
  const scenario = parseScenarioText(proposal.text, out)
  const run = runScenario(scenario, resolveProfile(scenario, out))
  writeFileSync(out, proposal.text)
  return { file: out, steps: proposal.steps, kernel: run.result.kernel, notes: proposal.notes, ...compareReplay(run.result) }
}
