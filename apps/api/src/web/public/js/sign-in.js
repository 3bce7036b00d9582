// Sign-in: trade an API token for a session cookie (HttpOnly: this script never sees it).
import { api } from './api.js';
import { $, showError } from './dom.js';

/** Where to go after signing in: a path on this site only. */
function next() {
  const target = new URLSearchParams(location.search).get('next') ?? '/';
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\') ? target : '/';
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
