// Start page: check a prompt file (dry run: every invalid line and the estimate, nothing queued), then
// queue it; or queue one prompt with the model's fields.
import { api, ApiError, setUpNav } from './api.js';
import { $, el, replace, showError, usd } from './dom.js';
import {
  fillModelSelect,
  loadModels,
  readParamFields,
  renderParamFields,
  renderParamTable,
} from './models.js';

const form = $('#upload-form');
const fileInput = $('#file');
const dropZone = $('#drop-zone');
const batchModel = $('#batch-model');
const skipInvalid = $('#skip-invalid');
const check = $('#check');
const submit = $('#submit-batch');
let file;
let idempotencyKey;
let models = [];
let checkSeq = 0;

function query() {
  const params = new URLSearchParams({
    model: batchModel.value,
    on_invalid: skipInvalid.checked ? 'skip' : 'reject',
  });
  return params.toString();
}

function body() {
  const data = new FormData();
  data.append('file', file, file.name);
  return data;
}

function renderErrors(details) {
  const errors = details?.errors ?? [];
  const count = details?.error_count ?? errors.length;
  return [
    el('h3', {}, `${count} invalid line${count === 1 ? '' : 's'}`),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { class: 'errors', id: 'invalid-lines' },
        el('caption', { class: 'visually-hidden' }, 'Invalid lines of the file'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Line', 'Column', 'Problem'].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el(
          'tbody',
          {},
          errors.map((e) =>
            el('tr', {}, el('td', {}, String(e.line)), el('td', {}, e.column ?? ''), el('td', {}, e.message)),
          ),
        ),
      ),
    ),
    count > errors.length ? el('p', { class: 'help' }, `The first ${errors.length} are shown.`) : null,
    el('p', { class: 'help' }, 'Fix the file and choose it again, or tick “Skip invalid lines”.'),
  ];
}

function renderEstimate(estimate) {
  const byModel = estimate.by_model ?? [];
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    el('h3', {}, 'Ready to queue'),
    el(
      'p',
      { id: 'estimate' },
      plural(estimate.total, 'row'),
      estimate.skipped ? `, ${estimate.skipped} invalid skipped` : '',
      ` · estimated cost ${estimate.estimated_cost_usd === null ? 'unknown' : usd(estimate.estimated_cost_usd)}`,
      estimate.unpriced_rows ? ` · ${plural(estimate.unpriced_rows, 'row')} without a price` : '',
      estimate.balance_usd !== null && estimate.balance_usd !== undefined
        ? ` · balance ${usd(estimate.balance_usd)}`
        : '',
    ),
    byModel.length > 1
      ? el(
          'ul',
          {},
          byModel.map((m) =>
            el(
              'li',
              {},
              el('code', {}, m.model),
              `: ${plural(m.rows, 'row')}, ${m.estimated_cost_usd === null ? 'no price' : usd(m.estimated_cost_usd)}`,
            ),
          ),
        )
      : null,
  ];
}

/** The dry run: reports the file's problems or its estimate; queues nothing. */
async function runCheck() {
  submit.disabled = true;
  if (!file) return replace(check);
  const seq = ++checkSeq;
  replace(check, el('p', {}, `Checking ${file.name}…`));
  try {
    const estimate = await api(`/v1/batches?dry_run=true&${query()}`, { method: 'POST', body: body() });
    if (seq !== checkSeq) return;
    replace(check, renderEstimate(estimate));
    submit.disabled = estimate.total === 0;
  } catch (err) {
    if (seq !== checkSeq) return;
    if (err instanceof ApiError && err.code === 'INVALID_ROWS') replace(check, renderErrors(err.details));
    else if (err instanceof ApiError && err.code === 'INVALID_FILE') {
      // The API's message often names the line itself: say it once.
      const at = err.details?.line ? `line ${err.details.line}` : '';
      const line = at && !err.message.includes(at) ? ` (${at})` : '';
      replace(check, el('p', { class: 'reason' }, `${err.message}${line}`));
    } else if (err instanceof ApiError && err.status === 415) {
      // The API's message speaks of content types; the person chose a file of another kind.
      replace(check, el('p', { class: 'reason' }, `${file.name} is not a CSV or JSONL file. ${FILE_KINDS}`));
    } else replace(check, el('p', { class: 'reason' }, err.message));
  }
}

const FILE_KINDS =
  'Choose a .csv file (a spreadsheet saved as CSV, with a prompt column) or a .jsonl file (one JSON object per line).';

function choose(chosen) {
  file = chosen;
  idempotencyKey = `web-${crypto.randomUUID()}`; // a double click queues one batch
  void runCheck();
}

fileInput.addEventListener('change', () => fileInput.files[0] && choose(fileInput.files[0]));
for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop'])
  dropZone.addEventListener(type, () => dropZone.classList.remove('over'));
// A file dropped anywhere on the page is the prompt file: left to the browser, a drop beside the zone
// would open the file in place of the page.
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  const dropped = event.dataTransfer?.files?.[0];
  if (dropped) choose(dropped);
});
batchModel.addEventListener('change', () => {
  renderParamTable(
    $('#batch-model-params'),
    models.find((m) => m.id === batchModel.value),
  );
  void runCheck();
});
skipInvalid.addEventListener('change', () => void runCheck());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!file || submit.disabled) return;
  submit.disabled = true;
  showError('');
  try {
    const batch = await api(`/v1/batches?${query()}`, {
      method: 'POST',
      body: body(),
      headers: { 'idempotency-key': idempotencyKey },
    });
    location.assign(`/batches/${encodeURIComponent(batch.id)}`);
  } catch (err) {
    submit.disabled = false;
    if (err instanceof ApiError && err.code === 'INVALID_ROWS') replace(check, renderErrors(err.details));
    else showError(err.message);
  }
});

// One prompt.
const promptForm = $('#prompt-form');
const videoModel = $('#video-model');
const params = $('#video-params');
videoModel.addEventListener('change', () =>
  renderParamFields(
    params,
    models.find((m) => m.id === videoModel.value),
    'param',
  ),
);

promptForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = $('#video-result');
  const customId = $('#custom-id').value.trim();
  const request = {
    prompt: $('#prompt').value,
    model: videoModel.value,
    ...readParamFields(params),
    ...(customId ? { custom_id: customId } : {}),
  };
  try {
    const video = await api('/v1/videos', {
      method: 'POST',
      body: JSON.stringify(request),
      headers: { 'content-type': 'application/json' },
    });
    replace(
      result,
      el(
        'p',
        {},
        'Queued ',
        el('code', {}, video.id),
        video.estimated_cost_usd !== undefined ? ` · estimated ${usd(video.estimated_cost_usd)}` : '',
        ' · ',
        el('a', { href: `/v1/videos/${encodeURIComponent(video.id)}` }, 'its status (JSON)'),
      ),
    );
  } catch (err) {
    const issues = Array.isArray(err.details)
      ? err.details.map((d) => el('li', {}, `${d.path}: ${d.message}`))
      : [];
    replace(
      result,
      el('p', { class: 'reason' }, err.message),
      issues.length ? el('ul', { class: 'reason' }, issues) : null,
    );
  }
});

// Disabled in the HTML until the handler above is attached (a click before it would do nothing useful).
$('#submit-video').disabled = false;

void setUpNav();
loadModels().then(
  (list) => {
    models = list;
    fillModelSelect(batchModel, list);
    fillModelSelect(videoModel, list);
    renderParamTable(
      $('#batch-model-params'),
      list.find((m) => m.id === batchModel.value),
    );
    renderParamFields(
      params,
      list.find((m) => m.id === videoModel.value),
      'param',
    );
  },
  (err) => showError(`The models could not be loaded: ${err.message}`),
);
