import { describe, expect, it } from 'vitest';
import { InspectionBus, type InspectionEvent } from '../../src/actors/inspection.js';

const event: InspectionEvent = { type: '@troupe.node', node: 'n', status: 'up' };

describe('InspectionBus', () => {
  describe('#active', () => {
    it('is true exactly while someone observes, so hot paths can skip building events', () => {
      const bus = new InspectionBus();
      expect(bus.active).toBe(false);
      const a = bus.subscribe(() => {});
      const b = bus.subscribe(() => {});
      a.unsubscribe();
      expect(bus.active).toBe(true);
      b.unsubscribe();
      expect(bus.active).toBe(false);
    });
  });

  describe('#emit', () => {
    it('reaches every observer even when one throws', () => {
      const bus = new InspectionBus();
      const seen: string[] = [];
      bus.subscribe(() => {
        throw new Error('bad observer');
      });
      bus.subscribe((e) => seen.push(e.type));
      bus.emit(event);
      expect(seen).toEqual(['@troupe.node']);
    });
  });
});
