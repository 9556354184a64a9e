/**
 * `daxlab check-trace FILE|RUN --kernel V`: the model's rules for that kernel applied to a trace file or
 * an imported run (docs/trace-import.md#rules). Exit 0 consistent, 1 findings, 2 usage or input error.
 */
import type { Command } from 'commander'
import { UsageError } from '../usage-error'

export interface CheckTraceOptions {
  kernel: string
  arch?: string
  fsdaxPfns?: string
  db?: string
  json?: boolean
}

export function registerCheckTrace(program: Command): void {
  program
    .command('check-trace')
    .description("check a trace file or an imported run against the model's refcount rules for a kernel")
    .argument('<trace>', 'trace text file (plain or gzip), or the id of an imported run')
    .requiredOption('--kernel <version>', 'kernel release whose rules apply (6.1 and later, or legacy|refcounted)')
    .option('--arch <arch>', 'arch of the traced machine (default x86): the PMD fallback rule uses its page and PMD sizes')
    .option('--fsdax-pfns <ranges>', 'pfns of the FS DAX namespaces, e.g. 0x240000-0x27ffff,0x300000 (traces from 5.15 on name none)')
    .option('--db <path>', 'trace database, for a run id')
    .option('--json', 'print {kernel, scheme, consistent, pfns, findings: [{rule, line, pfn, message}]}')
    .action(async (arg: string, opts: CheckTraceOptions) => {
      const { checkTrace } = await import('../actions/check-trace')
      try {
        await checkTrace(arg, opts)
      } catch (e) {
        // Exit 1 means "findings": every error (no such file, damaged store) is exit 2.
        if (e instanceof UsageError) throw e
        throw new UsageError((e as Error).message.split('\n').join('; '))
      }
    })
}
