import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaOf, readDescriptor } from '../../src/agents/describe.js';

describe('describe', () => {
  describe('jsonSchemaOf', () => {
    it('gives a plain object schema with top-level properties, no $schema', () => {
      const s = jsonSchemaOf(z.object({ path: z.string(), lines: z.number().int().optional() }), 'input');
      expect(s).toMatchObject({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] });
      expect(s).not.toHaveProperty('$schema');
    });
    it('refuses an input that is not an object', () => {
      expect(() => jsonSchemaOf(z.array(z.string()), 'input')).toThrow(/z.object/);
    });
  });

  describe('readDescriptor', () => {
    const good = {
      type: 'descriptor',
      name: 'search',
      description: 'Searches.',
      inputSchema: { type: 'object', properties: { task: { type: 'string' } }, required: ['task'] },
      outputSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
    };
    it('builds validators from the schemas', () => {
      const { descriptor, input, output } = readDescriptor(good, 'troupe://b/search');
      expect(descriptor.name).toBe('search');
      expect(input.safeParse({ task: 'x' }).success).toBe(true);
      expect(input.safeParse({ task: 1 }).success).toBe(false);
      expect(output?.safeParse({ answer: 'a' }).success).toBe(true);
      expect(output?.safeParse({ answer: 2 }).success).toBe(false);
    });
    it('refuses malformed descriptors (untrusted) with TROUPE_ERR_INVALID_OUTPUT', () => {
      for (const bad of [
        null,
        'x',
        { ...good, type: 'result' },
        { ...good, name: 'has space' },
        { ...good, inputSchema: { $ref: '#/x' } },
      ]) {
        expect(() => readDescriptor(bad, 'troupe://b/x')).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OUTPUT' }));
      }
    });
  });
});
