// The page's calls to the API: same origin, the session cookie (when the API has tokens) goes by
// itself; state-changing requests add the session's CSRF token (a header no other site's form can send).
import { el, showError } from './dom.js';

let session;

/** `{ mode: 'open' | 'signed-in' | 'signed-out', csrf }`, read once per page. */
export async function getSession() {
  if (!session) {
    // Kept only when read (a 503 while Redis is down is not a session): the next call asks again.
    session = await api('/web/session', { redirectOn401: false });
  }
  return session;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.details = body?.error?.details;
  }
}

/**
 * fetch() against the API; resolves the parsed JSON (or null for 204), throws ApiError otherwise. A 401
 * (no session, or it expired) goes to the sign-in page unless `redirectOn401` is false.
 */
export async function api(path, { redirectOn401 = true, ...options } = {}) {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = new Headers(options.headers ?? {});
  headers.set('accept', 'application/json');
  if (method !== 'GET' && method !== 'HEAD') {
    const { csrf } = await getSession();
    if (csrf) headers.set('x-vidq-csrf', csrf);
  }
  let res;
  try {
    res = await fetch(path, { ...options, method, headers });
  } catch {
    // fetch() rejects only when no answer came at all (the API stopped, the network is down).
    throw new ApiError(0, { error: { code: 'UNREACHABLE', message: UNREACHABLE } });
  }
  if (res.status === 401 && redirectOn401) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, null);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's HTML error page): the status says enough.
    if (res.ok)
      throw new ApiError(res.status, {
        error: { message: 'The server sent an answer the page cannot read.' },
      });
  }
  if (!res.ok)
    throw new ApiError(
      res.status,
      body?.error
        ? body
        : { error: { message: `The server answered ${res.status} ${res.statusText}`.trim() } },
    );
  return body;
}

export const UNREACHABLE = 'The server could not be reached. Check that vidqueue is running, then try again.';

/** The navigation bar: sign-out only when signed in with a session. */
export async function setUpNav() {
  const nav = document.getElementById('session-nav');
  if (!nav) return;
  // Unknown (the API or Redis unreachable): no button; the page's own reads say what is wrong.
  const mode = await getSession().then(
    (s) => s?.mode,
    () => undefined,
  );
  if (mode !== 'signed-in') return;
  const button = el('button', { type: 'button', class: 'link' }, 'Sign out');
  button.addEventListener('click', async () => {
    try {
      await api('/web/session', { method: 'DELETE' });
      location.assign('/sign-in');
    } catch (err) {
      showError(err.message);
    }
  });
  nav.append(button);
}
