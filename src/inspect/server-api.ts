/**
 * The inspector's JSON API: one small handler per route, each a read of the
 * {@link InspectorModel}. Query numbers are clamped, so that no request asks for more than a page.
 */
import { activeStates } from './chart.js';
import { type ChartLayout, layoutChart } from './layout.js';
import type { InspectorModel } from './model.js';

/** Answers one API request: the JSON body, or `undefined` for an unknown route. */
export type InspectorApi = (path: string, query: URLSearchParams) => Promise<unknown>;

type Route = (q: URLSearchParams, page: { offset: number; limit: number }) => unknown;

/** Most rows one request may ask for. */
export const MAX_PAGE = 1000;

/** A whole number from the query within `0..max`, else `fallback`. */
export function queryInt(value: string | null, fallback: number, max: number): number {
  const n = value === null ? fallback : Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/**
 * The API over `model`; `title` is what the page calls the view.
 *
 * @example
 * ```ts
 * const api = createInspectorApi(model, 'live');
 * await api('/api/tree', new URLSearchParams({ offset: '0', limit: '50' })); // { total, offset, rows }
 * ```
 */
export function createInspectorApi(model: InspectorModel, title: string): InspectorApi {
  const layouts = new Map<string, Promise<ChartLayout>>();
  const routes: Record<string, Route> = {
    '/api/summary': () => ({ title, ...model.summary() }),
    '/api/tree': (_, { offset, limit }) => model.tree(offset, limit),
    '/api/tree-index': (q) => ({ index: model.indexOf(q.get('address') ?? '') }),
    '/api/actor': (q) => actorWithChart(model, layouts, q.get('address') ?? ''),
    '/api/messages': (q, { offset, limit }) =>
      model.messagePage(offset, limit, { actor: q.get('actor') ?? undefined, type: q.get('type') ?? undefined }),
    '/api/message-index': (q) => ({ index: model.messageIndex(queryInt(q.get('seq'), -1, Number.MAX_SAFE_INTEGER)) }),
    '/api/decisions': (_, { offset, limit }) => model.page(model.decisions, offset, limit),
    '/api/llm': (_, { offset, limit }) => model.page(model.llm, offset, limit),
    '/api/deadletters': (_, { offset, limit }) => model.page(model.deadLetters, offset, limit),
    '/api/log': (_, { offset, limit }) => model.page(model.log, offset, limit),
  };
  return async (path, q) => {
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) return undefined;
    const page = { offset: queryInt(q.get('offset'), 0, Number.MAX_SAFE_INTEGER), limit: queryInt(q.get('limit'), 100, MAX_PAGE) };
    return await route(q, page);
  };
}

/** One actor, and its chart laid out (once per chart) with its active states. */
async function actorWithChart(model: InspectorModel, layouts: Map<string, Promise<ChartLayout>>, address: string): Promise<unknown> {
  const actor = model.actor(address);
  if (actor === undefined) return { actor: null };
  const chartId = actor.chart;
  const chart = chartId === undefined ? undefined : model.charts.get(chartId);
  if (chartId === undefined || chart === undefined) return { actor, active: [] };
  let layout = layouts.get(chartId);
  if (layout === undefined) {
    layout = layoutChart(chart);
    layouts.set(chartId, layout);
  }
  return { actor, chartId, machine: chart.id, layout: await layout, active: activeStates(actor.value) };
}
