import { describe, expect, it } from 'vitest';
import { InspectorModel } from '../../src/inspect/model.js';
import { createInspectorApi, MAX_PAGE, queryInt } from '../../src/inspect/server-api.js';

describe('inspector API', () => {
  it('clamps query numbers: never more than a page, never negative', () => {
    expect(queryInt('50', 100, MAX_PAGE)).toBe(50);
    expect(queryInt('999999999', 100, MAX_PAGE)).toBe(MAX_PAGE);
    expect(queryInt('-3', 100, MAX_PAGE)).toBe(100);
    expect(queryInt('abc', 100, MAX_PAGE)).toBe(100);
    expect(queryInt(null, 7, MAX_PAGE)).toBe(7);
  });

  it('answers its routes and nothing else (not even Object.prototype names)', async () => {
    const model = new InspectorModel();
    for (let i = 0; i < 3000; i++)
      model.add({ type: '@troupe.message', node: 'a', to: 'troupe://a/x', eventType: `e${i}`, event: {}, at: i });
    const api = createInspectorApi(model, 'live');
    expect(await api('/api/summary', new URLSearchParams())).toMatchObject({ title: 'live', messages: 3000 });
    const page = (await api('/api/messages', new URLSearchParams({ limit: '100000' }))) as { rows: unknown[]; total: number };
    expect(page.total).toBe(3000);
    expect(page.rows).toHaveLength(MAX_PAGE);
    expect(await api('/api/actor', new URLSearchParams({ address: 'troupe://a/none' }))).toEqual({ actor: null });
    for (const path of ['/api/nope', 'constructor', '__proto__', 'toString'])
      expect(await api(path, new URLSearchParams())).toBeUndefined();
  });
});
