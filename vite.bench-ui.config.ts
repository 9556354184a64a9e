/**
 * Builds `npm run bench:ui` (test/bench/ui.ts) for Node with Vite's SSR build, like vite.cli.config.ts,
 * so import.meta.glob (arch plugins, the built-in library) works as in the app. Dependencies stay external.
 */
import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'
import { builtinLibrary } from './scripts/builtin-library-plugin.ts'

export default defineConfig({
  plugins: [builtinLibrary(import.meta.dirname)],
  build: {
    ssr: true,
    outDir: 'dist/bench-ui',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { ui: 'test/bench/ui.ts' },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'better-sqlite3', 'commander', 'yaml', 'zod', 'playwright-core'],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
  logLevel: 'warn',
})
