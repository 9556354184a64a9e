// `npm test`: every check CI runs, in order, then one totals line `N passed, N failed`.
// Static checks (lint with the layer rules, the three type checks) count as one test each; the unit
// and end-to-end suites report their own test counts through vitest's JSON reporter.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const results = { passed: 0, failed: 0 }
const failures = []
mkdirSync('test-results', { recursive: true })

function run(label, command, args) {
  process.stdout.write(`\n=== ${label}: ${command} ${args.join(' ')}\n`)
  const r = spawnSync(command, args, { stdio: 'inherit', env: process.env })
  return r.status === 0
}

function check(label, command, args) {
  if (run(label, command, args)) results.passed += 1
  else {
    results.failed += 1
    failures.push(label)
  }
}

function suite(label, args, report) {
  rmSync(report, { force: true })
  const ok = run(label, 'npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
  if (!existsSync(report)) {
    results.failed += 1
    failures.push(`${label} (no report)`)
    return
  }
  const json = JSON.parse(readFileSync(report, 'utf8'))
  results.passed += json.numPassedTests
  results.failed += json.numFailedTests
  if (json.numTotalTests === 0) {
    results.failed += 1
    failures.push(`${label} ran no test`)
  }
  if (!ok && json.numFailedTests === 0) {
    results.failed += 1
    failures.push(`${label} (runner failed)`)
  }
}

check('lint and layer rules', 'npx', ['eslint', '.'])
check('typecheck pure layer', 'npx', ['tsc', '-p', 'tsconfig.pure.json', '--noEmit'])
check('typecheck node layer', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit'])
check('typecheck renderer', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit'])
check('build CLI bundle', 'node', ['scripts/build-cli.mjs'])
check('build app (electron-vite)', 'npx', ['electron-vite', 'build'])
suite('unit and integration tests', [], 'test-results/unit.json')
suite('end-to-end tests (Chromium)', ['--config', 'vitest.e2e.config.ts'], 'test-results/e2e.json')

if (failures.length > 0) process.stdout.write(`\nfailed: ${failures.join(', ')}\n`)
process.stdout.write(`${results.passed} passed, ${results.failed} failed\n`)
process.exitCode = results.failed > 0 ? 1 : 0
