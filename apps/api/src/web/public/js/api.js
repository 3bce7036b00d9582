// The page's calls to the API: same origin, the session cookie (when the API has tokens) goes by
// itself; state-changing requests add the session's CSRF token (a header no other site's form can send).
import { el, showError } from './dom.js';

let session;

/** `{ mode: 'open' | 'signed-in' | 'signed-out', csrf }`, read once per page. */
export async function getSession() {
  if (!session) {
    const res = await fetch('/web/session', { headers: { accept: 'application/json' } });
    session = await res.json();
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
  const res = await fetch(path, { ...options, method, headers });
  if (res.status === 401 && redirectOn401) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, null);
  }
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** The navigation bar: sign-out only when signed in with a session. */
export async function setUpNav() {
  const nav = document.getElementById('session-nav');
  if (!nav) return;
  const { mode } = await getSession();
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
