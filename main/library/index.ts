/**
 * The built-in library (main/library/builtins.ts: the precompiled scenarios and profiles) and reading a
 * scenario from its text, built-in or not. Pure.
 */
import { parseScenarioText } from '../formats/load'
import type { Scenario } from '../formats/scenario'
import { builtinScenarioByText } from './builtins'

export * from './builtins'

/**
 * A scenario from its source text: the precompiled document when the text is exactly a built-in's
 * (a stored run or sweep item of a built-in), else parsed, with the parser's line-precise errors.
 */
export function scenarioFromText(text: string, file: string): Scenario {
  return builtinScenarioByText(text) ?? parseScenarioText(text, file)
}
