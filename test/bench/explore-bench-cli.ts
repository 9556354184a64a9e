/** Runs the explorer figures alone and prints them as JSON: `npm run bench:explore` (built as dist/cli/explore-bench.js). */
import { exploreBench } from './explore-bench'

process.stdout.write(JSON.stringify(await exploreBench(), null, 2) + '\n')
