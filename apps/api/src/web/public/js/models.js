// The model picker and its parameter fields, built from GET /v1/models (whatever fields a model has:
// enums become selects, numbers number inputs with their bounds, booleans checkboxes).
import { api } from './api.js';
import { el, replace } from './dom.js';

let models;

export async function loadModels() {
  models ??= await api('/v1/models');
  return models;
}

export function fillModelSelect(select, list) {
  replace(
    select,
    list.map((m) =>
      el(
        'option',
        { value: m.id, selected: m.default },
        m.label && m.label !== m.id ? `${m.label} (${m.id})` : m.id,
      ),
    ),
  );
}

/** The fields a form offers for a model: every parameter but the prompt. */
export function paramEntries(model) {
  return Object.entries(model?.parameters ?? {}).filter(([name]) => name !== 'prompt');
}

function describe(param) {
  const parts = [];
  if (param.values) parts.push(`one of ${param.values.join(', ')}`);
  if (param.minimum !== undefined || param.maximum !== undefined)
    parts.push(`${param.minimum ?? '…'} to ${param.maximum ?? '…'}`);
  if (param.default !== undefined) parts.push(`default ${param.default}`);
  return parts.join('; ');
}

/** One labelled input per parameter, named after it; empty means "the model's default". */
export function renderParamFields(container, model, idPrefix) {
  const legend = container.querySelector('legend');
  container.replaceChildren(...(legend ? [legend] : []));
  for (const [name, param] of paramEntries(model)) {
    const id = `${idPrefix}-${name}`;
    const helpId = `${id}-help`;
    const attrs = { id, name, 'aria-describedby': helpId, dataset: { type: param.type } };
    let input;
    if (param.values) {
      input = el(
        'select',
        attrs,
        el('option', { value: '' }, param.default !== undefined ? `Default (${param.default})` : 'Default'),
        param.values.map((v) => el('option', { value: String(v) }, String(v))),
      );
    } else if (param.type === 'boolean') {
      input = el(
        'select',
        attrs,
        el('option', { value: '' }, 'Default'),
        el('option', { value: 'true' }, 'yes'),
        el('option', { value: 'false' }, 'no'),
      );
    } else if (param.type === 'integer' || param.type === 'number') {
      input = el('input', {
        ...attrs,
        type: 'number',
        step: param.type === 'integer' ? 1 : 'any',
        min: param.minimum,
        max: param.maximum,
        placeholder: param.default,
      });
    } else {
      input = el('input', {
        ...attrs,
        type: 'text',
        maxlength: param.max_length,
        placeholder: param.default,
      });
    }
    container.append(
      el(
        'div',
        { class: 'field' },
        el('label', { for: id }, name),
        input,
        el(
          'p',
          { id: helpId, class: 'help' },
          [param.description, describe(param)].filter(Boolean).join(' — '),
        ),
      ),
    );
  }
}

/** The values typed into the fields, typed as the model wants them; empty fields are left out. */
export function readParamFields(container) {
  const out = {};
  for (const input of container.querySelectorAll('input, select')) {
    if (!input.name || input.value === '') continue;
    const type = input.dataset.type;
    if (type === 'integer' || type === 'number') out[input.name] = Number(input.value);
    else if (type === 'boolean') out[input.name] = input.value === 'true';
    else out[input.name] = input.value;
  }
  return out;
}

/** A table of a model's parameters: what columns a batch file may set. */
export function renderParamTable(container, model) {
  const rows = paramEntries(model).map(([name, p]) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, el('code', {}, name)),
      el('td', {}, p.type),
      el('td', {}, describe(p)),
      el('td', {}, p.description ?? ''),
    ),
  );
  replace(
    container,
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Column', 'Type', 'Values', 'Meaning'].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el('tbody', {}, rows),
      ),
    ),
    el(
      'p',
      { class: 'help' },
      'A row may set any of these columns; rows that leave one empty get the model’s default. Other columns are kept as metadata.',
    ),
  );
}
