// DOM helpers. Text is only ever set as text (text nodes, textContent), never parsed as HTML: prompts,
// custom ids and error messages are user input.

/**
 * `el('a', { href: '/x', class: 'btn' }, 'text', child)`: attributes through setAttribute (`on*`
 * attributes refused), children as nodes or text nodes; null/false children are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`el(): event attribute ${name} refused; use addEventListener`);
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces every child of `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function $(selector, root = document) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`missing element ${selector}`);
  return found;
}

export function usd(value) {
  if (value === null || value === undefined) return '–';
  return `$${Number(value).toFixed(value !== 0 && Math.abs(value) < 0.01 ? 4 : 2)}`;
}

export function age(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** Shows a message in the page's alert region (role=alert: read out at once). */
export function showError(message) {
  const region = document.getElementById('alert');
  if (!region) return;
  replace(region, message ? el('p', {}, message) : null);
  region.hidden = !message;
}
