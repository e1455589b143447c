// The inspector page: actor tree, statechart, message timeline, decisions, dead letters, log.
import { drawChart, highlight } from './chart.js';
import { api, el, text, time, VirtualList, wsUrl } from './views.js';

const $ = (id) => document.getElementById(id);
const state = { selected: null, selectedSeq: -1, chartId: null, view: 'chart', version: -1, filterActor: '', filterType: '' };

// ---- header ----
function showSummary(s) {
  const items = [
    ['nodes', s.nodes],
    ['actors', s.actors],
    ['messages', s.messages],
    ['dead letters', s.deadLetters],
    ['LLM calls', s.llmCalls],
    ['tokens in/out', `${s.inputTokens}/${s.outputTokens}`],
  ];
  $('summary').replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, String(v)))));
  const omitted = [];
  if (s.actorsOmitted) omitted.push(`${s.actorsOmitted} not shown: table full`);
  if (s.recordsOmitted) omitted.push(`${s.recordsOmitted} records from nodes beyond the limit dropped`);
  $('tree-count').textContent = omitted.length ? `(${omitted.join('; ')})` : '';
}

// ---- tree ----
const tree = new VirtualList($('tree'), {
  rowHeight: 24,
  load: (offset, limit) => api('/api/tree', { offset, limit }),
  render(row) {
    const node = el('div', {
      class: `row${row.kind === 'node' ? ' node-row' : ''}${row.address === state.selected ? ' selected' : ''}`,
      role: 'treeitem',
      'aria-level': row.depth + 1,
      'data-address': row.address,
    });
    node.style.paddingLeft = `${8 + row.depth * 16}px`;
    if (row.kind === 'node') {
      node.append(
        el('span', {}, `⬢ ${row.name}`),
        el('span', { class: `badge ${row.status}` }, row.status),
        el('span', { class: 'muted' }, `${row.children} top-level`),
      );
      return node;
    }
    node.append(el('button', { class: 'name', type: 'button', title: row.address, onclick: () => select(row.address) }, row.name));
    node.append(el('span', { class: `badge ${row.status}` }, row.status));
    if (row.restarts) node.append(el('span', { class: 'badge restarts', title: 'restarts' }, `↻ ${row.restarts}`));
    if (row.mailbox) node.append(el('span', { class: 'badge mailbox', title: 'mailbox depth' }, `✉ ${row.mailbox}`));
    if (row.children) node.append(el('span', { class: 'muted' }, `${row.children} children`));
    if (row.state !== undefined) node.append(el('span', { class: 'state' }, row.state));
    return node;
  },
});

// ---- statechart ----
async function select(address) {
  state.selected = address;
  state.chartId = null;
  state.filterActor = address;
  $('filter-actor').value = address;
  showView('chart');
  tree.refresh();
  await refreshActor();
}

async function refreshActor() {
  if (!state.selected) return;
  let answer;
  try {
    answer = await api('/api/actor', { address: state.selected });
  } catch (err) {
    $('actor-info').replaceChildren(el('span', { class: 'stop' }, `could not load ${state.selected}: ${err.message}`));
    return;
  }
  const { actor, layout, active, chartId, machine } = answer;
  const info = $('actor-info');
  if (!actor) {
    info.replaceChildren(el('span', {}, 'No such actor (it may have been forgotten): '), el('b', {}, state.selected));
    $('chart').replaceChildren();
    return;
  }
  info.replaceChildren(
    el('b', {}, actor.address),
    ' · ',
    el('span', { class: `badge ${actor.status}` }, actor.status),
    actor.restarts ? el('span', { class: 'badge restarts' }, ` ↻ ${actor.restarts}`) : '',
    ' · state ',
    el('code', { id: 'current-state' }, actor.value === undefined ? '—' : text(actor.value)),
    actor.reason ? el('span', { class: 'stop' }, ` · exit: ${text(actor.reason)}`) : '',
  );
  if (!layout) {
    state.chartId = null;
    $('chart').replaceChildren(el('p', { class: 'muted' }, 'This actor does not run a state machine (no chart).'));
    return;
  }
  if (state.chartId !== chartId) {
    state.chartId = chartId;
    $('chart').replaceChildren(drawChart(layout, machine));
  }
  highlight($('chart').querySelector('svg'), active);
}

// ---- messages ----
const messages = new VirtualList($('messages'), {
  rowHeight: 24,
  load: async (offset, limit) => {
    const page = await api('/api/messages', { offset, limit, actor: state.filterActor, type: state.filterType });
    $('messages-count').textContent = `${page.total} messages`;
    return page;
  },
  render(m) {
    const node = el('div', {
      class: `row msg${m.seq === state.selectedSeq ? ' selected' : ''}`,
      'data-seq': m.seq,
      onclick: () => ($('message-detail').textContent = text(m.event, 5000)),
    });
    node.append(
      el('span', { class: 'time' }, time(m.at)),
      el('span', { class: 'from', title: m.from ?? '' }, m.from ? short(m.from) : '·'),
      el('span', { class: 'arrow' }, '→'),
    );
    node.append(el('span', { class: 'to', title: m.to }, short(m.to)), el('span', { class: 'type' }, m.type));
    if (m.ask)
      node.append(
        m.reply
          ? el('button', { class: 'link', type: 'button', onclick: () => jump(m.reply) }, 'ask → reply')
          : el('span', { class: 'badge' }, 'ask (no reply seen)'),
      );
    if (m.replyTo) node.append(el('button', { class: 'link', type: 'button', onclick: () => jump(m.replyTo) }, 'reply ← ask'));
    return node;
  },
});

function short(address) {
  return address.replace(/^troupe:\/\//, '');
}

async function jump(seq) {
  state.filterActor = '';
  state.filterType = '';
  $('filter-actor').value = '';
  $('filter-type').value = '';
  state.selectedSeq = seq;
  const { index } = await api('/api/message-index', { seq });
  if (index >= 0) messages.reveal(index);
  else messages.refresh();
}

let filterTimer;
for (const [id, key] of [
  ['filter-actor', 'filterActor'],
  ['filter-type', 'filterType'],
]) {
  $(id).addEventListener('input', (e) => {
    state[key] = e.target.value;
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      $('messages').scrollTop = 0;
      messages.refresh();
    }, 150);
  });
}

// ---- decisions, dead letters, log ----
const decisions = new VirtualList($('decisions'), {
  rowHeight: 72,
  load: (offset, limit) => api('/api/decisions', { offset, limit }),
  render(d) {
    const dec = d.decision ?? {};
    const usage = dec.usage ?? {};
    const calls = Array.isArray(dec.calls) ? dec.calls : [];
    const node = el('div', { class: 'row tall decision' });
    node.append(
      el(
        'div',
        { class: 'line1' },
        el('span', { class: 'time' }, time(d.at)),
        el('b', {}, short(String(d.actor))),
        el('span', {}, `iteration ${text(dec.iteration)}`),
        el('span', { class: 'tokens' }, `${text(usage.inputTokens)} in / ${text(usage.outputTokens)} out tokens`),
        dec.limit ? el('span', { class: 'stop' }, `limit: ${text(dec.limit)}`) : '',
        d.stopReason ? el('span', { class: 'stop' }, `stopped: ${text(d.stopReason)}`) : '',
      ),
      el('div', { class: 'line2 thought' }, `thought: ${dec.thought === null || dec.thought === undefined ? '—' : text(dec.thought, 300)}`),
      el('div', { class: 'line2' }, `calls: ${calls.map((c) => `${text(c.worker, 60)}(${text(c.input, 60)})`).join(', ') || '—'}`),
    );
    return node;
  },
});

const llm = new VirtualList($('llm'), {
  rowHeight: 24,
  load: async (offset, limit) => {
    const page = await api('/api/llm', { offset, limit });
    $('llm-total').textContent = `LLM calls (${page.total})`;
    return page;
  },
  render(c) {
    return el(
      'div',
      { class: 'row llm-call' },
      el('span', { class: 'time' }, time(c.at)),
      el('b', {}, short(String(c.actor))),
      el('span', {}, text(c.model, 60)),
      el('span', { class: 'tokens' }, `${text(c.inputTokens)} in / ${text(c.outputTokens)} out`),
      el('span', { class: 'muted' }, `${typeof c.latencyMs === 'number' ? Math.round(c.latencyMs) : '?'} ms`),
      c.toolCalls ? el('span', { class: 'muted' }, `${text(c.toolCalls)} tool calls`) : '',
      c.error ? el('span', { class: 'stop' }, text(c.error, 80)) : '',
    );
  },
});

const deadletters = new VirtualList($('deadletters'), {
  rowHeight: 72,
  load: (offset, limit) => api('/api/deadletters', { offset, limit }),
  render(d) {
    const node = el('div', { class: 'row tall deadletter' });
    node.append(
      el(
        'div',
        { class: 'line1' },
        el('span', { class: 'time' }, time(d.at)),
        el('span', { class: 'badge stopped' }, text(d.reason)),
        el('b', {}, short(String(d.recipient))),
        d.sender ? el('span', { class: 'muted' }, `from ${short(String(d.sender))}`) : '',
      ),
      el('div', { class: 'line2 payload' }, text(d.event, 400)),
    );
    return node;
  },
});

const log = new VirtualList($('log'), {
  rowHeight: 24,
  load: (offset, limit) => api('/api/log', { offset, limit }),
  render(e) {
    const { seq, at, type, node: n, ...rest } = e;
    return el(
      'div',
      { class: 'row' },
      el('span', { class: 'time' }, time(at)),
      el('span', { class: 'badge' }, String(type).replace('@troupe.', '')),
      el('span', {}, n),
      el('span', { class: 'state' }, text(rest, 300)),
    );
  },
});

// ---- views and updates ----
const lists = { messages, decisions, deadletters, log };
const companions = { decisions: [llm] };
function showView(view) {
  state.view = view;
  for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.view === view));
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${view}`;
  if (lists[view]) lists[view].refresh();
  for (const l of companions[view] ?? []) l.refresh();
  if (view === 'chart') refreshActor();
}
for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showView(b.dataset.view));

function onChange(summary) {
  showSummary(summary);
  if (summary.version === state.version) return;
  state.version = summary.version;
  tree.refresh();
  if (state.view === 'chart') refreshActor();
  else lists[state.view]?.refresh();
  for (const l of companions[state.view] ?? []) l.refresh();
}

function connect() {
  const ws = new WebSocket(wsUrl());
  ws.onopen = () => {
    $('conn').textContent = state.replay ? 'replay' : 'live';
    $('conn').className = 'conn up';
  };
  ws.onmessage = (m) => onChange(JSON.parse(m.data));
  ws.onclose = () => {
    $('conn').textContent = 'disconnected';
    $('conn').className = 'conn down';
    setTimeout(connect, 2000);
  };
}

api('/api/summary').then((s) => {
  $('title').textContent = s.title;
  state.replay = !s.title.startsWith('live');
  if (state.replay && $('conn').className === 'conn up') $('conn').textContent = 'replay';
  onChange(s);
});
connect();
