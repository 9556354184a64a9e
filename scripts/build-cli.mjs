// Builds dist/cli/daxlab.js (the `daxlab` bin) and dist/cli/bench.js. Run by `npm install` (prepare)
// so `npx daxlab` works right after installing.
import { build } from 'vite'
import { chmodSync } from 'node:fs'

await build({ configFile: new URL('../vite.cli.config.ts', import.meta.url).pathname })
chmodSync(new URL('../dist/cli/daxlab.js', import.meta.url), 0o755)
