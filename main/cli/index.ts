#!/usr/bin/env node
/** Entry of the `daxlab` bin: runs the program and sets the exit code. */
import { main } from './program'
import { printErr } from './terminal-text'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    printErr(`daxlab: error: ${String(err)}\n`)
    process.exitCode = 1
  },
)
