/**
 * Runs the trace-import figures alone and prints them as JSON: `npx tsx test/bench/trace-import-bench-cli.ts [MB]`
 * (default 1000). A separate entry, so bundling the module into bench.js does not run it there.
 */
import { traceImportBench } from './trace-import-bench'

const mb = Number(process.argv[2] ?? 1000)
process.stdout.write(JSON.stringify(await traceImportBench({ bytes: mb * 1e6 }), null, 2) + '\n')
