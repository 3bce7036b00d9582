// Batch page: live counts from server-sent events (no polling), a paged grid of rows read from the
// API a page at a time, filters, retry, cancel and downloads.
import { api, setUpNav } from './api.js';
import { $, age, el, replace, showError, usd } from './dom.js';

const PAGE = 24;
const id = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const base = `/v1/batches/${encodeURIComponent(id)}`;
const state = { batch: null, status: '', q: '', offset: 0, page: null, shown: new Set() };

const rowsList = $('#rows');
const retry = $('#retry');
const cancel = $('#cancel');

function renderBatch(batch) {
  state.batch = batch;
  document.title = `Batch ${batch.id} · vidqueue`;
  $('#batch-id').textContent = batch.id;
  const status = $('#batch-status');
  status.textContent = batch.status;
  status.className = `badge s-${batch.status}`;
  $('#batch-created').textContent = `created ${age(batch.created_at)}`;
  const counts = batch.counts;
  const finished = (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0);
  const progress = $('#progress');
  progress.max = Math.max(1, batch.total);
  progress.value = finished;
  $('#progress-text').textContent = `${finished} of ${batch.total}`;
  replace(
    $('#counts'),
    Object.entries(counts).map(([name, n]) =>
      el('li', { dataset: { status: name } }, el('span', { class: `s-${name}` }, name), `: ${n}`),
    ),
  );
  $('#batch-cost').textContent = usd(batch.cost_usd);
  retry.disabled = !counts.failed;
  cancel.disabled = (counts.queued ?? 0) + (counts.generating ?? 0) + (counts.paused ?? 0) === 0;
  // The filter offers the statuses the batch reports (counts always list every one).
  const filter = $('#status-filter');
  for (const name of Object.keys(counts)) {
    if (!filter.querySelector(`option[value="${name}"]`)) filter.append(el('option', { value: name }, name));
  }
}

function videoOf(row) {
  const video = el('video', {
    controls: true,
    preload: 'metadata',
    muted: true,
    playsinline: true,
    src: row.video_url,
    'aria-label': `Video of row ${row.row}`,
  });
  return video;
}

/** The row's video as a download of this site (our archived copy), or null: never a link elsewhere. */
function downloadOf(row) {
  let url;
  try {
    url = new URL(row.video_url, location.origin);
  } catch {
    return null;
  }
  if (url.origin !== location.origin) return null;
  const name = `${row.row}${row.custom_id ? `-${row.custom_id}` : ''}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  return el(
    'a',
    { href: url.pathname + url.search, download: `${name}.mp4`, class: 'button secondary download' },
    'Download',
    el('span', { class: 'visually-hidden' }, ` the video of row ${row.row}`),
  );
}

function renderRow(row) {
  const title = el(
    'strong',
    {},
    `Row ${row.row}`,
    row.custom_id ? ' · ' : '',
    row.custom_id ? el('span', { class: 'mono' }, row.custom_id) : null,
  );
  return el(
    'li',
    { class: 'row', dataset: { row: row.row, status: row.status, video: row.video_url ?? '' } },
    el('header', {}, title, el('span', { class: `badge s-${row.status}` }, row.status)),
    row.status === 'completed' && row.video_url ? videoOf(row) : null,
    row.status === 'completed' && row.video_url ? downloadOf(row) : null,
    el('p', { class: 'prompt' }, row.prompt),
    el(
      'p',
      { class: 'meta' },
      row.model,
      row.cost_usd !== null ? ` · ${usd(row.cost_usd)}` : '',
      row.attempt ? ` · attempt ${row.attempt + 1}` : '',
      row.possible_duplicate ? ' · possible duplicate (sent again after an unknown outcome)' : '',
    ),
    row.status === 'failed' || row.status === 'cancelled'
      ? el('p', { class: 'reason' }, row.error_code ? `${row.error_code}: ` : '', row.error_message ?? '')
      : null,
  );
}

let rowsRead = 0;
async function loadRows() {
  const params = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
  if (state.status) params.set('status', state.status);
  if (state.q) params.set('q', state.q);
  // Reads can overlap (a live update while a filter changes): only the latest one is drawn, so a slow
  // older answer never replaces a newer one.
  const read = ++rowsRead;
  try {
    const page = await api(`${base}/rows?${params}`);
    if (read !== rowsRead) return;
    state.page = page;
    state.shown = new Set(page.rows.map((r) => r.row));
    // Keep the videos of rows that did not change (a playing video is not restarted); a row whose
    // video_url changed (its archive settled: our copy replaces the provider's URL) is drawn again.
    const previous = new Map([...rowsList.children].map((li) => [li.dataset.row, li]));
    const items = page.rows.map((row) => {
      const old = previous.get(String(row.row));
      const same = old && old.dataset.status === row.status && old.dataset.video === (row.video_url ?? '');
      return same ? old : renderRow(row);
    });
    rowsList.replaceChildren(...items);
    const last = page.offset + page.rows.length;
    const of = page.total !== null ? ` of ${page.total}` : page.next_offset !== null ? '+' : '';
    $('#rows-summary').textContent = page.rows.length
      ? `Rows ${page.offset + 1}–${last}${of}`
      : 'No rows match.';
    $('#prev').disabled = page.offset === 0;
    $('#next').disabled = page.next_offset === null;
    recovered();
  } catch (err) {
    problem(err.message);
  }
}

// A failed read's message stays until a read succeeds again (not after: a stale "Redis is unreachable"
// over rows that load fine would be wrong).
let failing = false;
function problem(message) {
  failing = true;
  showError(message);
}
function recovered() {
  if (failing) showError('');
  failing = false;
}

let reloadTimer;
/** Reloads the visible page soon, once for a burst of updates. */
function reloadRowsSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => void loadRows(), 300);
}

const live = $('#live');
let source;
let relistenTimer;
function listen() {
  source?.close();
  source = new EventSource(`${base}/events`);
  source.addEventListener('open', () => (live.textContent = 'live'));
  source.addEventListener('error', () => {
    // A dropped stream is reconnected by the browser itself; an answer that is not a stream (404, 401,
    // 503) closes it for good, silently: ask the API why, say it, and try again later unless it is gone.
    if (source.readyState !== EventSource.CLOSED) live.textContent = 'reconnecting…';
    else void streamClosed();
  });
  source.addEventListener('snapshot', (event) => {
    renderBatch(JSON.parse(event.data));
    void loadRows();
  });
  source.addEventListener('update', (event) => {
    const { batch, rows } = JSON.parse(event.data);
    renderBatch(batch);
    // Reload the page of rows when a row on it changed, or when the filter makes any change matter.
    if (rows === null || state.status || rows.some((r) => state.shown.has(r.row)) || state.shown.size < PAGE)
      reloadRowsSoon();
  });
}

async function streamClosed() {
  live.textContent = 'not live';
  try {
    renderBatch(await api(base)); // a 401 goes to the sign-in page
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 404) {
      problem(`There is no batch ${id}: the address is wrong, or the batch has expired and was removed.`);
      // Nothing to show, retry, cancel or download: the progress and rows sections go.
      for (const section of document.querySelectorAll('main section')) section.hidden = true;
      return;
    }
    problem(err.message);
  }
  clearTimeout(relistenTimer);
  relistenTimer = setTimeout(listen, 5_000);
}

$('#filters').addEventListener('submit', (event) => {
  event.preventDefault();
  state.status = $('#status-filter').value;
  state.q = $('#search').value.trim();
  state.offset = 0;
  void loadRows();
});
$('#status-filter').addEventListener('change', () => {
  state.status = $('#status-filter').value;
  state.offset = 0;
  void loadRows();
});
$('#prev').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - PAGE);
  void loadRows();
});
$('#next').addEventListener('click', () => {
  if (state.page?.next_offset === null) return;
  state.offset = state.page.next_offset;
  void loadRows();
});
retry.addEventListener('click', async () => {
  retry.disabled = true;
  try {
    const { retried } = await api(`${base}/retry`, {
      method: 'POST',
      body: JSON.stringify({ only: 'failed' }),
      headers: { 'content-type': 'application/json' },
    });
    showError('');
    $('#rows-summary').textContent = `${retried} row${retried === 1 ? '' : 's'} queued again.`;
  } catch (err) {
    showError(err.message);
    // Nothing changed: the button comes back (as the batch's counts say), to try again.
    if (state.batch) renderBatch(state.batch);
  }
});
cancel.addEventListener('click', async () => {
  const generating = state.batch?.counts?.generating ?? 0;
  const billed =
    generating > 0
      ? `\n\n${generating} row${generating === 1 ? ' is' : 's are'} already generating: the provider cannot stop ${generating === 1 ? 'it' : 'them'}, and bills ${generating === 1 ? 'it' : 'them'} all the same; cancelled, ${generating === 1 ? 'its video is' : 'their videos are'} not kept.`
      : '';
  if (!confirm(`Cancel every row of this batch that has not finished?${billed}`)) return;
  cancel.disabled = true;
  try {
    renderBatch(await api(base, { method: 'DELETE' }));
    showError('');
  } catch (err) {
    showError(err.message);
    if (state.batch) renderBatch(state.batch);
  }
});

$('#dl-csv').href = `${base}/results?format=csv`;
$('#dl-jsonl').href = `${base}/results?format=jsonl`;
$('#dl-zip').href = `${base}/videos.zip`;
// The buttons are disabled in the HTML: a click before the handlers are attached (and before the batch's
// state is known) would do nothing. Retry, cancel and paging are enabled from the batch and its rows.
$('#search-submit').disabled = false;
$('#batch-id').textContent = id;
void setUpNav();
listen();
