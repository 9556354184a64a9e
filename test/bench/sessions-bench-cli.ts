/**
 * Runs the session figures alone and prints them as JSON: `npm run bench:sessions` (built as
 * dist/cli/sessions-bench.js). `--sweep-only` runs just sweep_speedup (docs/sessions.md#figures).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sessionsBench, sweepFigure } from './sessions-bench'

const args = process.argv.slice(2)
const unknown = args.filter((a) => a !== '--sweep-only')
if (unknown.length > 0) {
  process.stderr.write(`sessions-bench: unknown option '${unknown[0]}' (the only one is --sweep-only)\n`)
  process.exit(2)
}

async function sweepOnly(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-sweep-bench-'))
  try {
    return sweepFigure(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

process.stdout.write(JSON.stringify(args.includes('--sweep-only') ? await sweepOnly() : await sessionsBench(), null, 2) + '\n')
