/**
 * The inspector page in a real browser: playwright-core driving Debian's Chromium
 * (`apt-get install chromium`; Playwright never downloads a browser). Screenshots of each view go
 * to test-results/inspector/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { type ActorSystem, type CoordinatorResult, createSystem, defineCoordinator, supervisor } from '../../src/index.js';
import { allowInspection } from '../../src/inspect/collect.js';
import { type Inspector, inspector } from '../../src/inspect/inspector.js';
import { InspectorModel } from '../../src/inspect/model.js';
import { recordTrace, type TraceRecording } from '../../src/inspect/recorder.js';
import { startInspectorServer } from '../../src/inspect/server.js';
import { cleanUpAfterEach, countingWorker, model } from '../agents/support.js';
import { until } from '../support/latch.js';
import { counterMachine as counter } from '../support/machines.js';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const CHROMIUM = process.env.TROUPE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results', 'inspector');
const HOSTILE = '<img src=x onerror=alert(1)>';

const light = createMachine({
  id: 'light',
  initial: 'off',
  states: {
    off: { on: { flip: 'on' } },
    on: {
      initial: 'dim',
      on: { flip: 'off' },
      states: { dim: { on: { brighten: 'bright' } }, bright: { type: 'final' } },
    },
  },
});

let alpha: ActorSystem;
let beta: ActorSystem;
let live: Inspector;
let browser: Browser;
let dir: string;
let trace: TraceRecording;
let dialogs = 0;

cleanUpAfterEach();

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(url);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

function current(page: Page) {
  return page.locator('#chart svg g[aria-current="true"]');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'troupe-inspector-'));
  alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'browser-test' });
  beta = createSystem({ node: 'beta', secret: 'browser-test' });
  await alpha.ready;
  trace = recordTrace(alpha, join(dir, 'alpha.trace.jsonl'));
  allowInspection(alpha, { batchMs: 20, statsMs: 200 });
  alpha.spawn(
    supervisor({
      strategy: 'one-for-one',
      children: [
        { id: 'light', logic: light },
        { id: 'counter', logic: counter },
      ],
    }),
    { name: 'app' },
  );
  beta.spawn(counter, { name: 'tally' });
  await beta.connect(`ws://127.0.0.1:${alpha.listenAddress?.port}`);
  live = await inspector({ system: beta, nodes: ['alpha'] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await live?.close();
  await beta?.shutdown();
  await alpha?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inspector page', { timeout: 60_000 }, () => {
  it('shows the tree of both nodes; clicking an actor shows its statechart with the current state highlighted live', async () => {
    const page = await open(live.url);
    await page.locator('#tree .row[data-address="troupe://alpha/app/light"] button.name').waitFor({ timeout: 10_000 });
    await expect(page.locator('#tree .node-row').allTextContents()).resolves.toEqual([
      expect.stringContaining('alpha'),
      expect.stringContaining('beta'),
    ]);
    await expect(page.locator('#tree .row[data-address="troupe://beta/tally"]').count()).resolves.toBe(1);
    // supervision shape: light sits under app, one level deeper
    const level = (a: string) => page.locator(`#tree .row[data-address="${a}"]`).getAttribute('aria-level');
    expect(Number(await level('troupe://alpha/app/light'))).toBe(Number(await level('troupe://alpha/app')) + 1);

    await page.locator('#tree .row[data-address="troupe://alpha/app/light"] button.name').click();
    await expect.poll(() => current(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('off');
    await shot(page, 'tree-and-statechart');

    alpha.lookup('app/light')?.send({ type: 'flip' });
    await expect.poll(() => current(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('on.dim');
    await expect(page.locator('#chart svg g.active[data-state="on"]').count()).resolves.toBe(1);
    await shot(page, 'statechart-after-transition');
    await page.close();
  });

  it('shows the message timeline, linking an ask to its reply, and renders hostile text as text', async () => {
    const tally = beta.lookup('tally');
    for (let i = 0; i < 3; i++) tally?.send({ type: 'inc' });
    await tally?.ask({ type: 'get' });
    alpha.lookup('app/counter')?.send({ type: HOSTILE, note: HOSTILE } as never);
    beta.ref('troupe://beta/nobody').send({ type: 'lost', text: HOSTILE });
    const page = await open(live.url);
    await page.locator('button[role="tab"][data-view="messages"]').click();
    await page.locator('#filter-type').fill('<img');
    await expect.poll(() => page.locator('#messages .row .type').allTextContents(), { timeout: 10_000 }).toEqual([HOSTILE]);
    await page.locator('#filter-type').fill('');
    await expect.poll(() => page.locator('#messages .row .type').allTextContents(), { timeout: 10_000 }).toContain('get');
    // the ask and its reply are linked both ways; following the link marks the reply
    const ask = page.locator('#messages .row', { has: page.locator('.type', { hasText: /^get$/ }) });
    await ask.locator('button.link').click();
    await expect.poll(() => page.locator('#messages .row.selected .type').textContent(), { timeout: 10_000 }).toBe('count');
    await expect(page.locator('#messages .row.selected button.link').textContent()).resolves.toBe('reply ← ask');
    await shot(page, 'messages');
    await page.locator('button[role="tab"][data-view="deadletters"]').click();
    await expect
      .poll(() => page.locator('#deadletters .payload').allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringContaining(HOSTILE));
    await shot(page, 'dead-letters');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toBe(0);
    await page.close();
  });

  it("shows a coordinator's statechart and its decisions with token use and stop reason; model output renders as text", async () => {
    const { llm } = await model([
      {
        text: `I will search first ${HOSTILE}`,
        toolCalls: [{ id: 'c1', name: 'search', arguments: { task: HOSTILE } }],
        usage: { inputTokens: 120, outputTokens: 30 },
      },
      { text: `Found it ${HOSTILE}`, usage: { inputTokens: 200, outputTokens: 50 } },
    ]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', new Map())],
    });
    const run = await beta
      .spawn(lead, { name: 'lead' })
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'Where?' } }, { timeoutMs: 15_000 });
    expect(run.stopReason).toBe('done');
    const page = await open(live.url);
    await page.locator('#tree .row[data-address="troupe://beta/lead"] button.name').click();
    await expect.poll(() => current(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
    await shot(page, 'coordinator-statechart');
    await page.locator('button[role="tab"][data-view="decisions"]').click();
    await expect
      .poll(() => page.locator('#decisions .thought').allTextContents(), { timeout: 10_000 })
      .toContain(`thought: I will search first ${HOSTILE}`);
    await expect(page.locator('#decisions').textContent()).resolves.toContain('stopped: done');
    await expect(page.locator('#decisions').textContent()).resolves.toContain('120 in / 30 out tokens');
    await expect
      .poll(() => page.locator('#llm .llm-call').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('test-model120 in / 30 out'), expect.stringContaining('test-model200 in / 50 out')]);
    await shot(page, 'decisions');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toBe(0);
    await page.close();
  });

  it('replays a recorded trace in the same page', async () => {
    alpha.lookup('app/light')?.send({ type: 'brighten' });
    await until(() => trace.events > 0, 5000, 'trace events');
    await new Promise((r) => setTimeout(r, 50));
    await trace.close();
    const replay = await inspector({ trace: join(dir, 'alpha.trace.jsonl') });
    try {
      const page = await open(replay.url);
      await expect(page.locator('#title').textContent()).resolves.toContain('alpha.trace.jsonl');
      await page.locator('#tree .row[data-address="troupe://alpha/app/light"] button.name').click();
      await expect.poll(() => current(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('on.bright');
      await shot(page, 'trace-replay');
      await page.close();
    } finally {
      await replay.close();
    }
  });

  it('stays usable with 10k actors and 100k messages: only the rows in view exist in the page', async () => {
    const model = new InspectorModel();
    const at = Date.now();
    for (const node of ['n1', 'n2']) {
      model.add({ type: '@troupe.actor', node, address: `troupe://${node}/pool`, status: 'spawned', at });
      for (let i = 0; i < 5000; i++) {
        model.add({
          type: '@troupe.actor',
          node,
          address: `troupe://${node}/pool/w${i}`,
          parent: `troupe://${node}/pool`,
          status: 'spawned',
          at,
        });
      }
    }
    for (let i = 0; i < 100_000; i++) {
      model.add({
        type: '@troupe.message',
        node: 'n1',
        to: `troupe://n1/pool/w${i % 5000}`,
        eventType: `job-${i}`,
        event: { type: `job-${i}` },
        at: at + i,
      });
    }
    const server = await startInspectorServer({ model });
    try {
      const page = await open(server.url);
      await page.locator('#tree .row[data-address="troupe://n1/pool/w0"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#tree .row').count()).toBeLessThan(100);
      await page.locator('#tree').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.locator('#tree .row[data-address="troupe://n2/pool/w4999"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#tree .row').count()).toBeLessThan(100);
      await shot(page, 'scale-tree');
      await page.locator('button[role="tab"][data-view="messages"]').click();
      await expect.poll(() => page.locator('#messages-count').textContent(), { timeout: 10_000 }).toBe('100000 messages');
      await page.locator('#messages').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await expect.poll(() => page.locator('#messages .row .type').allTextContents(), { timeout: 10_000 }).toContain('job-99999');
      expect(await page.locator('#messages .row').count()).toBeLessThan(100);
      await page.locator('#filter-type').fill('job-99999');
      await expect.poll(() => page.locator('#messages-count').textContent(), { timeout: 10_000 }).toBe('1 messages');
      await shot(page, 'scale-messages');
      await page.close();
    } finally {
      await server.close();
    }
  });
});
