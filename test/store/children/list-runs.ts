/** Child of the read-only test, run as another user: `list-runs.ts FILE` prints the runs as JSON, or the error. */
import { TraceStore } from '../../../main/store/trace-store'

try {
  const store = TraceStore.open(process.argv[2]!)
  const runs = store.listRuns()
  let saved: string
  try {
    store.saveRun({} as never)
    saved = 'saved'
  } catch (e) {
    saved = (e as Error).message
  }
  store.close()
  process.stdout.write(JSON.stringify({ runs: runs.map((r) => r.id), saved }) + '\n')
} catch (e) {
  process.stdout.write(JSON.stringify({ error: (e as Error).message }) + '\n')
}
