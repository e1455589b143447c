import { describe, expect, it } from 'vitest';
import { main } from '../../examples/quick-start.js';

describe('examples/quick-start', () => {
  it('runs the README quick start and gets the count', async () => {
    await expect(main()).resolves.toEqual({ type: 'count', value: 1 });
  });
});
