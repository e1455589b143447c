// Small DOM helpers and a virtualized list. Everything shown is untrusted text: it goes in with
// textContent (never innerHTML), attributes with setAttribute.

const token = new URLSearchParams(location.search).get('token');

/** GETs a JSON endpoint of the inspector (with the page's token). */
export async function api(path, params = {}) {
  const q = new URLSearchParams(params);
  if (token) q.set('token', token);
  const res = await fetch(`${path}?${q}`);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

/** The WebSocket URL of the change notices. */
export function wsUrl() {
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `ws://${location.host}/ws${q}`;
}

/** `el('span', { class: 'x' }, 'text', child)`: an element whose strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

/** Short text of any value (for payloads). */
export function text(value, max = 200) {
  let s;
  try {
    s = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    s = String(value);
  }
  if (s === undefined) s = '';
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function time(at) {
  if (typeof at !== 'number') return '';
  const d = new Date(at);
  if (at < 1e11) return `${(at / 1000).toFixed(3)}s`;
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A virtualized list: only the rows in view exist in the DOM; they are fetched a page at a time
 * with `load(offset, limit)` → `{ total, rows }` and drawn with `render(row, index)`.
 */
export class VirtualList {
  constructor(container, { rowHeight, load, render }) {
    this.container = container;
    this.rowHeight = rowHeight;
    this.load = load;
    this.render = render;
    this.total = 0;
    this.spacer = el('div', { class: 'spacer' });
    container.append(this.spacer);
    this.pending = false;
    this.again = false;
    container.addEventListener('scroll', () => this.refresh());
    new ResizeObserver(() => this.refresh()).observe(container);
  }

  /** Re-fetches the rows in view (coalescing calls made while a fetch runs). */
  async refresh() {
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = true;
    try {
      const h = this.rowHeight;
      const first = Math.max(0, Math.floor(this.container.scrollTop / h) - 5);
      const count = Math.ceil(this.container.clientHeight / h) + 10;
      const page = await this.load(first, count);
      this.total = page.total;
      this.spacer.style.height = `${page.total * h}px`;
      const rows = page.rows.map((row, i) => {
        const node = this.render(row, first + i);
        node.style.top = `${(first + i) * h}px`;
        return node;
      });
      this.spacer.replaceChildren(...rows);
    } catch (err) {
      this.spacer.replaceChildren(el('div', { class: 'row muted' }, `could not load: ${err.message}`));
    } finally {
      this.pending = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  /** Scrolls so that row `index` is in view. */
  reveal(index) {
    const top = index * this.rowHeight;
    const c = this.container;
    if (top < c.scrollTop || top > c.scrollTop + c.clientHeight - this.rowHeight) c.scrollTop = Math.max(0, top - c.clientHeight / 3);
    this.refresh();
  }
}
