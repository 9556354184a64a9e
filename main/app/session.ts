/**
 * Session-wide rules (Electron security checklist): every permission request and check is denied (the lab
 * needs no camera, notifications or devices), and every response carries the app's CSP header. The
 * renderer's index.html carries the same policy as a meta tag for file:// loads, which have no headers.
 */
import type { Session } from 'electron'

export function hardenSession(ses: Session, contentSecurityPolicy: string): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      // Ours replaces any policy a server sent (header names are case-insensitive).
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value
    }
    headers['Content-Security-Policy'] = [contentSecurityPolicy]
    callback({ responseHeaders: headers })
  })
}
