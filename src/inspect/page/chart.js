// Draws a laid-out statechart (computed by the server with elkjs) as SVG, built with DOM calls:
// state names and event labels are set with textContent.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Builds the SVG of `layout`; states carry `data-state` with their id. */
export function drawChart(layout, machineId) {
  const root = svg('svg', {
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    role: 'img',
  });
  root.setAttribute('aria-label', `statechart ${machineId}`);
  const defs = svg('defs');
  const marker = svg('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
  });
  marker.append(svg('path', { d: 'M0,0L10,5L0,10z', fill: '#556' }));
  defs.append(marker);
  root.append(defs);
  const ids = layout.states.filter((s) => s.type !== 'initial').map((s) => s.id);
  for (const s of layout.states) {
    if (s.type === 'initial') {
      root.append(svg('circle', { class: 'initial', cx: s.x + s.width / 2, cy: s.y + s.height / 2, r: s.width / 2, fill: '#333' }));
      continue;
    }
    const leaf = !ids.some((id) => (s.id === '' ? id !== '' : id.startsWith(`${s.id}.`)));
    const g = svg('g', { class: `state ${s.type}${leaf ? ' leaf' : ''}`, 'data-state': s.id });
    g.append(
      svg('rect', {
        x: s.x,
        y: s.y,
        width: s.width,
        height: s.height,
        rx: 8,
        ...(s.type === 'parallel' ? { 'stroke-dasharray': '6 3' } : {}),
      }),
    );
    if (s.type === 'final') g.append(svg('rect', { x: s.x + 3, y: s.y + 3, width: s.width - 6, height: s.height - 6, rx: 6 }));
    const label = svg(
      'text',
      leaf ? { x: s.x + s.width / 2, y: s.y + s.height / 2 + 4, 'text-anchor': 'middle' } : { x: s.x + 10, y: s.y + 16 },
    );
    label.textContent = s.type === 'history' ? `${s.key} (H)` : s.key;
    g.append(label);
    root.append(g);
  }
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    root.append(
      svg('path', { class: 'edge', d: e.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' '), 'marker-end': 'url(#arrow)' }),
    );
    if (e.label && e.labelAt) {
      const t = svg('text', { class: 'label', x: e.labelAt[0], y: e.labelAt[1] });
      t.textContent = e.label;
      root.append(t);
    }
  }
  return root;
}

/** Marks the active states; the current (atomic) ones get aria-current="true". */
export function highlight(root, active) {
  const set = new Set(active);
  for (const g of root.querySelectorAll('g.state')) {
    const id = g.getAttribute('data-state');
    const on = set.has(id);
    g.classList.toggle('active', on);
    if (on && g.classList.contains('leaf')) g.setAttribute('aria-current', 'true');
    else g.removeAttribute('aria-current');
  }
}
