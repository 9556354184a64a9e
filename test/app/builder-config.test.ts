/**
 * The packaging config (electron-builder.yml) loads and keeps its security settings: the fuses, the
 * Linux targets, and files that hold the built app. The package itself cannot be built here (no
 * Electron binary); docs/app.md says how.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

const ROOT = join(import.meta.dirname, '../..')

/** The part of electron-builder's schema this config uses; unknown keys fail, so a typo cannot hide. */
const configSchema = z
  .object({
    appId: z.string().regex(/^[a-z0-9.-]+$/),
    productName: z.string().min(1),
    executableName: z.string().regex(/^[a-z0-9-]+$/),
    directories: z.object({ output: z.string() }).strict(),
    files: z.array(z.string()).min(1),
    asar: z.boolean(),
    asarUnpack: z.array(z.string()),
    npmRebuild: z.boolean(),
    linux: z.object({ target: z.array(z.enum(['AppImage', 'deb', 'rpm', 'snap', 'tar.gz'])), category: z.string(), synopsis: z.string() }).strict(),
    deb: z.object({ packageCategory: z.string() }).strict(),
    electronFuses: z
      .object({
        runAsNode: z.boolean(),
        enableCookieEncryption: z.boolean(),
        enableNodeOptionsEnvironmentVariable: z.boolean(),
        enableNodeCliInspectArguments: z.boolean(),
        enableEmbeddedAsarIntegrityValidation: z.boolean(),
        onlyLoadAppFromAsar: z.boolean(),
        loadBrowserProcessSpecificV8Snapshot: z.boolean(),
        grantFileProtocolExtraPrivileges: z.boolean(),
      })
      .strict(),
  })
  .strict()

const config = configSchema.parse(parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')))

describe('electron-builder config', () => {
  it('flips the fuses: no RunAsNode, encrypted cookies, ASAR integrity and ASAR-only loading', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    })
    // Integrity and ASAR-only loading mean nothing without an asar.
    expect(config.asar).toBe(true)
  })

  it('builds AppImage and deb from the built app, with native modules unpacked', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.files).toContain('out/**')
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }
    expect(pkg.main.startsWith('out/')).toBe(true)
    expect(config.asarUnpack).toContain('**/*.node')
  })
})
