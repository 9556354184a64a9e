/**
 * End-to-end tests: the built renderer in headless Chromium against the web bridge and the real services.
 * Run with `npx vitest run --config vitest.e2e.config.ts`; global-setup builds out/ when it is missing or
 * older than the sources.
 */
import { defineConfig } from 'vitest/config'
import { builtinLibrary } from './scripts/builtin-library-plugin.ts'

export default defineConfig({
  // The tests import the services, which read the built-in library precompiled by this plugin.
  plugins: [builtinLibrary(import.meta.dirname)],
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
