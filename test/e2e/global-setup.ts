/**
 * Builds the app (`electron-vite build`) before the e2e tests when out/ is missing or older than any
 * source the renderer or preload is built from (scripts/app-build.mjs, shared with `npm run web`).
 */
import { resolve } from 'node:path'
import { buildAppIfStale } from '../../scripts/app-build.mjs'

export default function setup(): void {
  buildAppIfStale(resolve(import.meta.dirname, '../..'))
}
