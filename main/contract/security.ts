/**
 * The Content-Security-Policy every host of the renderer sends: the Electron session (response header),
 * the web bridge (response header) and renderer/index.html (meta tag, for file:// loads where no header
 * exists; test/app/csp.test.ts keeps the two equal). Vue sets dynamic styles through the CSSOM, which CSP
 * does not restrict, so no 'unsafe-inline' is needed. Pure constants.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/** As a response header it can also forbid framing, which a meta tag cannot express. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`

/**
 * Only for the Vite dev server (`electron-vite dev`): it injects CSS as <style> elements and talks to its
 * HMR socket over ws://. Never used by a build.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
  "connect-src 'self'",
  "connect-src 'self' ws: http://localhost:* http://127.0.0.1:*",
)
