/** Generated scenario texts for tests that need runs of a chosen length. */

/** An fsdax file mapped once, then `n` probes over its first 256 pages: n + 2 steps. */
export function probeScenario(n: number): string {
  const steps = ['  - create: {file: /mnt/pmem0/a, length: 1MiB}', '  - mmap: {id: m, file: /mnt/pmem0/a, length: 1MiB}']
  for (let i = 0; i < n; i++) steps.push(`  - probe: {map: m, offset: ${(i % 256) * 4096}}`)
  return `name: long\ndescription: many steps\nprofile: x86-pmem-fsdax\nsteps:\n${steps.join('\n')}\n`
}
