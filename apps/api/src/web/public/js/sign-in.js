// Sign-in: trade an API token for a session cookie (HttpOnly: this script never sees it).
import { api } from './api.js';
import { $, showError } from './dom.js';

/**
 * Where to go after signing in: a page of this site only. The browser's own URL parser decides, not a
 * test of the text: it drops tabs and newlines and reads `\\` as `/`, so `/<tab>/evil.example` is the
 * other site it looks like it is not.
 */
function next() {
  const target = new URLSearchParams(location.search).get('next') ?? '/';
  try {
    const url = new URL(target, location.origin);
    if (url.origin === location.origin) return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    // Not a URL at all: the start page.
  }
  return '/';
}

$('#sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('#token');
  try {
    await api('/web/session', {
      method: 'POST',
      body: JSON.stringify({ token: token.value }),
      headers: { 'content-type': 'application/json' },
      redirectOn401: false,
    });
    location.assign(next());
  } catch (err) {
    showError(err.status === 401 ? 'That token was refused.' : err.message);
    token.select();
  }
});
// The button is disabled in the HTML until this handler is attached: a form sent before it would be
// the browser's own submission, with the token in its body.
$('#sign-in-submit').disabled = false;
