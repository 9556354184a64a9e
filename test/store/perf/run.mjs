// Builds test/store/perf/measure-save.ts with Vite (import.meta.glob needs it, as for the CLI) into
// dist/store-perf/ and runs it: node test/store/perf/run.mjs [iterations]
import { build } from 'vite'
import { builtinModules } from 'node:module'
import { spawnSync } from 'node:child_process'

const root = new URL('../../../', import.meta.url).pathname
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'dist/store-perf',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { 'measure-save': 'test/store/perf/measure-save.ts' },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'better-sqlite3', 'commander', 'yaml', 'zod'],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
})
const run = spawnSync(process.execPath, [`${root}dist/store-perf/measure-save.js`, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(run.status ?? 1)
