import { builtinScenario, resolveProfile } from '../../main/library/index'
import { FormatError } from '../../main/formats/errors'
import { parseScenarioText } from '../../main/formats/load'
import { runScenario, type RunOptions, type RunOutput } from '../../main/sim/run'
import type { RunResult, StepResult } from '../../main/sim/result'

export function runBuiltin(name: string, kernel: string, options: Omit<RunOptions, 'kernel'> = {}): RunResult {
  return runBuiltinOutput(name, kernel, options).result
}

/** runBuiltin with the trace: the whole RunOutput. */
export function runBuiltinOutput(name: string, kernel: string, options: Omit<RunOptions, 'kernel'> = {}): RunOutput {
  const scenario = builtinScenario(name)
  if (!scenario) throw new Error(`no scenario ${name}`)
  return runScenario(scenario, resolveProfile(scenario, name), { kernel, ...options })
}

export function runYaml(text: string, kernel: string, options: Omit<RunOptions, 'kernel'> = {}) {
  const scenario = parseScenarioText(text, 'inline.yaml')
  return runScenario(scenario, resolveProfile(scenario, 'inline.yaml'), { kernel, ...options })
}

/** The probe of the step labelled `label`. */
export function probe(result: RunResult, label: string) {
  const step = result.steps.find((s) => s.probe?.label === label)
  if (!step?.probe) throw new Error(`no probe '${label}' in ${result.scenario}`)
  return step.probe
}

export function step(result: RunResult, index: number): StepResult {
  return result.steps[index]!
}

export const kinds = (result: RunResult) => result.violations.map((v) => v.kind)

/** The FormatError message a scenario text is refused with (fails the test if it parses). */
export function formatErrorOf(text: string): string {
  try {
    parseScenarioText(text, 's.yaml')
  } catch (err) {
    if (err instanceof FormatError) return err.message
    throw err
  }
  throw new Error('expected a FormatError')
}
