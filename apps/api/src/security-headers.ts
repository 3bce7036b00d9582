/**
 * Headers on every answer, Bull Board and /docs included: never framed by another site (clickjacking of
 * the dashboard), never sniffed into another type than the one sent. Set by the root onSend hook
 * (app.ts), and by hand on an answer that skips it (a hijacked event stream).
 */
export const SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
} as const;
