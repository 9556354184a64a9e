import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { builtinLibrary } from './scripts/builtin-library-plugin.ts'

export default defineConfig({
  plugins: [vue(), builtinLibrary(import.meta.dirname)],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30000,
    pool: 'forks',
  },
})
