import { describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY_HEADER } from '../../main/contract/security'
import { hardenSession } from '../../main/app/session'

function fakeSession() {
  const hooks: {
    request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
    check?: () => boolean
    device?: () => boolean
    headers?: (details: { responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders?: Record<string, string[]> }) => void) => void
  } = {}
  const session = {
    setPermissionRequestHandler: (h: typeof hooks.request) => (hooks.request = h),
    setPermissionCheckHandler: (h: typeof hooks.check) => (hooks.check = h),
    setDevicePermissionHandler: (h: typeof hooks.device) => (hooks.device = h),
    webRequest: { onHeadersReceived: (h: typeof hooks.headers) => (hooks.headers = h) },
  }
  return { session, hooks }
}

describe('session hardening', () => {
  it('denies every permission request and check', () => {
    const { session, hooks } = fakeSession()
    hardenSession(session as never, CONTENT_SECURITY_POLICY_HEADER)
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const callback = vi.fn()
      hooks.request!({}, permission, callback)
      expect(callback).toHaveBeenCalledWith(false)
    }
    expect(hooks.check!()).toBe(false)
    expect(hooks.device!()).toBe(false)
  })

  it('puts our CSP on every response, replacing any other', () => {
    const { session, hooks } = fakeSession()
    hardenSession(session as never, CONTENT_SECURITY_POLICY_HEADER)
    let headers: Record<string, string[]> | undefined
    hooks.headers!({ responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders))
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER], 'X-Other': ['1'] })
    hooks.headers!({}, (r) => (headers = r.responseHeaders))
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] })
  })
})
