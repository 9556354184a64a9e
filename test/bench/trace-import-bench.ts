/**
 * Trace import figures (issue 12): the built `daxlab import-trace` and `check-trace` on a generated
 * tracefs log (trace-log.ts), 1 GB by default. Keys:
 * - import_trace_mb_s: text MB (10^6 bytes) imported per wall-clock second, store write included;
 * - import_trace_1gb_peak_mb: the import's peak RSS (MiB) on that log;
 * - check_trace_mb_s, check_trace_peak_mb: the same for check-trace, which keeps no event log;
 * - import_trace_mb_cpu_s, check_trace_mb_cpu_s: MB per CPU-second of the CLI process (startup included).
 * The CLI runs in its own process (as a user runs it); its peak RSS (VmHWM) and CPU time are printed by
 * a preloaded exit hook. The log and the store are removed afterwards.
 *
 * `npx tsx test/bench/trace-import-bench-cli.ts [MB]` prints the figures; npm run bench can call
 * traceImportBench() (built CLI at dist/cli/daxlab.js: node scripts/build-cli.mjs first).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { writeTraceLog } from './trace-log'

export interface TraceImportFigures {
  readonly import_trace_mb_s: number
  readonly import_trace_1gb_peak_mb: number
  readonly check_trace_mb_s: number
  readonly check_trace_peak_mb: number
  /** MB per CPU-second of the CLI process (user + system): less at the mercy of other jobs than wall time. */
  readonly import_trace_mb_cpu_s: number
  readonly check_trace_mb_cpu_s: number
  /** What was measured: the log's size and lines, and the load while it ran. */
  readonly trace_log_mb: number
  readonly trace_log_lines: number
  readonly loadavg_1m: string
}

/**
 * Prints the process's peak RSS at exit: VmHWM from /proc/self/status, which starts afresh at execve
 * (ru_maxrss does not: Linux carries it over from the forked parent, docs/bench.md), and its CPU time.
 */
const PEAK_HOOK = `process.on('exit', () => {
  const fs = require('fs')
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]
  const u = process.resourceUsage()
  fs.writeSync(2, '\\ndaxlab-bench-maxrss-kib=' + hwm + ' cpu-us=' + (u.userCPUTime + u.systemCPUTime) + '\\n')
})
`

/** Writes the exit hook that prints a process's peak RSS; pass its path to runCli. */
export function writePeakHook(dir: string): string {
  const hook = join(dir, 'peak.cjs')
  writeFileSync(hook, PEAK_HOOK)
  return hook
}

/** Runs the built CLI with the peak hook: wall seconds, peak RSS (MiB) and stdout; throws on a failure. */
export function runCli(bin: string, hook: string, args: string[], nodeArgs: readonly string[] = []): { seconds: number; cpuSeconds: number; peakMiB: number; stdout: string } {
  const start = performance.now()
  const r = spawnSync(process.execPath, [...nodeArgs, '--require', hook, bin, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, DAXLAB_DB: '' } })
  const seconds = (performance.now() - start) / 1000
  const m = /daxlab-bench-maxrss-kib=(\d+) cpu-us=(\d+)/.exec(r.stderr)
  if (r.status !== 0 || !m) throw new Error(`daxlab ${args[0]} failed (exit ${r.status}): ${r.stderr.slice(-500)}`)
  return { seconds, cpuSeconds: Number(m[2]) / 1e6, peakMiB: Number(m[1]) / 1024, stdout: r.stdout }
}

export async function traceImportBench(options: { bytes?: number; bin?: string } = {}): Promise<TraceImportFigures> {
  const bytes = options.bytes ?? 1e9
  const bin = options.bin ?? resolve('dist/cli/daxlab.js')
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-bench-'))
  try {
    const hook = writePeakHook(dir)
    const file = join(dir, 'trace.txt')
    const log = await writeTraceLog(file, { bytes })
    const check = runCli(bin, hook, ['check-trace', file, '--kernel', '6.17', '--fsdax-pfns', '0x100000-0x10ffff', '--json'])
    if (!JSON.parse(check.stdout).consistent) throw new Error('the generated log is not consistent with the 6.17 model: the bench measures nothing')
    const imported = runCli(bin, hook, ['import-trace', file, '--kernel', '6.17', '--json', '--db', join(dir, 'lab.sqlite')])
    const out = JSON.parse(imported.stdout) as { lines: number; skipped: unknown[] }
    if (out.lines !== log.lines || out.skipped.length !== 0) throw new Error(`import read ${out.lines} of ${log.lines} lines, skipped ${out.skipped.length}`)
    const mb = log.bytes / 1e6
    return {
      import_trace_mb_s: Math.round((mb / imported.seconds) * 10) / 10,
      import_trace_1gb_peak_mb: Math.round(imported.peakMiB),
      check_trace_mb_s: Math.round((mb / check.seconds) * 10) / 10,
      check_trace_peak_mb: Math.round(check.peakMiB),
      import_trace_mb_cpu_s: Math.round((mb / imported.cpuSeconds) * 10) / 10,
      check_trace_mb_cpu_s: Math.round((mb / check.cpuSeconds) * 10) / 10,
      trace_log_mb: Math.round(mb),
      trace_log_lines: log.lines,
      loadavg_1m: loadavg()[0]!.toFixed(2),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
