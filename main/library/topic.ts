/**
 * A built-in scenario's library topic: its first tag, else the prefix of its name before the first '-'
 * (`fsdax-truncate-hang` -> fsdax). The app's library and `daxlab scenarios list` group by it.
 */
export function scenarioTopic(name: string, scenario: { readonly tags?: readonly string[] } | undefined): string {
  return scenario?.tags?.[0] ?? name.split('-')[0]!
}
