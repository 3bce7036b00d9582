// Batches list: recent batches with counts, cost, age and status, a page at a time.
import { api, setUpNav } from './api.js';
import { $, age, el, showError, usd } from './dom.js';

const body = $('#batches tbody');
const more = $('#more');
let cursor = null;

function renderBatch(b) {
  const finished = b.counts.completed + b.counts.failed + b.counts.cancelled;
  return el(
    'tr',
    {},
    el(
      'th',
      { scope: 'row' },
      el('a', { href: `/batches/${encodeURIComponent(b.id)}`, class: 'mono' }, b.id),
    ),
    el('td', {}, el('span', { class: `badge s-${b.status}` }, b.status)),
    el(
      'td',
      {},
      el('progress', {
        max: Math.max(1, b.total),
        value: finished,
        'aria-label': `${finished} of ${b.total} finished`,
      }),
      ` ${finished}/${b.total}`,
    ),
    el('td', {}, String(b.counts.failed)),
    el('td', {}, usd(b.cost_usd)),
    el('td', {}, el('time', { datetime: b.created_at, title: b.created_at }, age(b.created_at))),
  );
}

async function load() {
  try {
    const page = await api(`/v1/batches?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    body.append(...page.batches.map(renderBatch));
    // The API leaves next_cursor out on the last page: no cursor, no button (else it reads page 1 again).
    cursor = page.next_cursor ?? null;
    more.hidden = cursor === null;
    $('#batches-empty').hidden = body.children.length > 0;
  } catch (err) {
    showError(err.message);
  }
}

more.addEventListener('click', () => void load());
void setUpNav();
void load();
