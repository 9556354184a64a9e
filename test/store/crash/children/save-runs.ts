/**
 * Crash-test child: `save-runs.ts FILE SEED FIRST_K` saves crashRun(SEED, k) for k = FIRST_K, ...
 * into FILE, deleting every fifth run it saved, until it is killed. After each commit it prints one
 * line, `{"op":"saved","k":K,"id":ID}` or `{"op":"deleted","id":ID}`, so the parent knows what was
 * committed before the kill. Before a delete it prints `{"op":"deleting","id":ID}`: a kill between the
 * delete's commit and its "deleted" line leaves a run that was reported saved and is rightly gone, and
 * the parent must know that delete was in flight rather than call the run lost.
 */
import { TraceStore } from '../../../../main/store/trace-store'
import { crashRun } from '../workload'

const [file, seedText, firstText] = process.argv.slice(2)
const seed = Number(seedText)
const store = TraceStore.open(file!, { chunkEvents: 1024, chunkRecords: 128 })
process.stdout.write('{"op":"ready"}\n')
for (let k = Number(firstText); k < Number(firstText) + 1000; k++) {
  const id = store.saveRun(crashRun(seed, k))
  process.stdout.write(JSON.stringify({ op: 'saved', k, id }) + '\n')
  if (k % 5 === 4) {
    process.stdout.write(JSON.stringify({ op: 'deleting', id }) + '\n')
    store.deleteRun(id)
    process.stdout.write(JSON.stringify({ op: 'deleted', id }) + '\n')
  }
}
store.close()
