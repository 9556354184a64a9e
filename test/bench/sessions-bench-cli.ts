/** Runs the session figures alone and prints them as JSON: `npm run bench:sessions` (built as dist/cli/sessions-bench.js). */
import { sessionsBench } from './sessions-bench'

process.stdout.write(JSON.stringify(await sessionsBench(), null, 2) + '\n')
