/**
 * Entry of the services' utility process (forked by service-host.ts). better-sqlite3 and the simulation
 * are synchronous, so they run here and never block the Electron main thread (Beekeeper Studio does the
 * same). It answers each request from the main process with a LabResult envelope; the payload is
 * validated again here, so the service never sees an unchecked request whoever sends it. The main
 * process's file calls (a path its dialog chose) arrive on the same port as `fileMethod` requests.
 */
import type { ParentPort } from 'electron'
import { createLabService } from '../services/lab-service'
import { callSessionFile } from '../services/session-files'
import { callLab } from '../contract/envelope'
import type { ServiceMessage, ServiceRequest } from './service-protocol'

function main(port: ParentPort): void {
  const dbPath = process.env.DAXLAB_DB
  if (!dbPath) {
    port.postMessage({ ready: true, error: 'DAXLAB_DB is not set' } satisfies ServiceMessage)
    process.exit(1)
  }
  let service: ReturnType<typeof createLabService>
  try {
    service = createLabService({ dbPath })
  } catch (err) {
    port.postMessage({ ready: true, error: `cannot open ${dbPath}: ${(err as Error).message}` } satisfies ServiceMessage)
    process.exit(1)
  }
  port.on('message', (event) => {
    const request = event.data as ServiceRequest
    const answer = 'fileMethod' in request ? callSessionFile(service.files, request.fileMethod, request.payload) : callLab(service, request.method, request.payload)
    void answer.then((result) => {
      port.postMessage({ id: request.id, result } satisfies ServiceMessage)
    })
  })
  process.once('exit', () => service.close())
  port.postMessage({ ready: true } satisfies ServiceMessage)
}

main(process.parentPort)
