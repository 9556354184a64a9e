/** Electron main entry: everything lives in main/app; this only says where the build put us. */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startApp } from './app/lifecycle'

startApp({ mainDir: dirname(fileURLToPath(import.meta.url)) })
