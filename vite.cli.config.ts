/**
 * Builds the headless entries (the `daxlab` CLI and the benchmark) for Node with Vite's SSR build, so
 * import.meta.glob (arch plugin discovery, the built-in library) works exactly as in the app and tests.
 * Dependencies stay external (better-sqlite3 is native).
 */
import { defineConfig } from 'vite'
import { builtinModules } from 'node:module'
import { builtinLibrary } from './scripts/builtin-library-plugin.ts'

export default defineConfig({
  // The built-in library, precompiled from scenarios/ (docs/adr/0020-precompiled-library-and-sweep-threads.md).
  plugins: [builtinLibrary(import.meta.dirname)],
  build: {
    ssr: true,
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { daxlab: 'main/cli/index.ts', bench: 'test/bench/run.ts', 'sweep-worker': 'main/sweep/worker.ts', 'run-writer': 'main/store/run-writer/worker.ts', 'sessions-bench': 'test/bench/sessions-bench-cli.ts', 'explore-bench': 'test/bench/explore-bench-cli.ts', 'explore-worker': 'main/explore-host/worker.ts' },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'better-sqlite3', 'commander', 'yaml', 'zod', 'tinypool', 'xz-decompress'],
      // Chunks (one per lazily loaded CLI action) beside the entries: actions/serve.ts finds out/renderer relative to itself.
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  logLevel: 'warn',
})
