/**
 * One build for the three Electron targets (electron-vite). Our top level is main/ preload/ renderer/,
 * not src/, so every entry is explicit. Output: out/main (ESM: index.js and the services' utility
 * process service-worker.js), out/preload/index.cjs (one CommonJS file: a sandboxed preload can require
 * only `electron`), out/renderer (the Vue app).
 */
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { builtinLibrary } from './scripts/builtin-library-plugin.ts'
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from './main/contract/security'

const root = import.meta.dirname

/** The dev server injects <style> tags and uses a websocket, so `electron-vite dev` relaxes the meta CSP. */
function devContentSecurityPolicy(): Plugin {
  return {
    name: 'daxlab:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY)
    },
  }
}

export default defineConfig({
  main: {
    // The built-in library, precompiled from scenarios/ (docs/adr/0020-precompiled-library-and-sweep-threads.md).
    plugins: [builtinLibrary(root)],
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/index.ts'),
          'service-worker': resolve(root, 'main/app/service-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle zod and the contract in; only `electron` stays a require().
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue(), devContentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
})
