/**
 * The renderer's only way to the backend (Perfetto's one Engine over two transports): the preload's
 * `window.lab` inside Electron, or HTTP to the web bridge when the page is served by `daxlab serve` or the
 * e2e tests. Nothing else in renderer/ touches window.lab or fetch.
 */
import { labMethodTable, type LabApi } from '../../main/contract/api'
import { unwrapResult, type LabBridge } from '../../main/contract/envelope'
import { createHttpLabApi, tokenFromHash } from './http'

let current: LabApi | undefined

/** The preload's envelope-returning bridge as a LabApi: failures reject with LabError (`.data`). */
export function fromBridge(bridge: LabBridge): LabApi {
  return labMethodTable((method) => {
    const call = bridge[method] as (request: unknown) => Promise<Parameters<typeof unwrapResult>[0]>
    return async (request: unknown) => unwrapResult(await call(request))
  }) as unknown as LabApi
}

export function getLabApi(): LabApi {
  // window.lab, read through globalThis so this module also type-checks (and runs) outside a DOM.
  const bridge = (globalThis as { lab?: LabBridge }).lab
  // Over HTTP the page proves it was opened from the URL the server printed: its #token= fragment.
  const hash = (globalThis as { location?: { hash?: string } }).location?.hash ?? ''
  current ??= bridge ? fromBridge(bridge) : createHttpLabApi('/api', undefined, tokenFromHash(hash))
  return current
}

/** Replaces the API (tests, or a page embedding the views with its own backend); undefined resets. */
export function setLabApi(api: LabApi | undefined): void {
  current = api
}

/** The error data of a failed call (LabError carries it; anything else becomes `failed`). */
export { toErrorData as labErrorOf } from '../../main/contract/envelope'
