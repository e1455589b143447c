import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/supervision/serial-queue.js';

describe('SerialQueue', () => {
  describe('#run', () => {
    it('runs synchronous operations at once, in order', () => {
      const queue = new SerialQueue();
      const log: string[] = [];
      queue.run((done) => {
        log.push('a');
        queue.run((d) => {
          log.push('nested');
          d();
        });
        log.push('a end');
        done();
      });
      queue.run((done) => {
        log.push('b');
        done();
      });
      expect(log).toEqual(['a', 'a end', 'nested', 'b']);
    });

    it('holds later operations until an asynchronous one calls done', () => {
      const queue = new SerialQueue();
      const log: string[] = [];
      let finish = () => {};
      queue.run((done) => {
        log.push('slow');
        finish = done;
      });
      queue.run((done) => {
        log.push('next');
        done();
      });
      expect(log).toEqual(['slow']);
      finish();
      finish(); // a second call is ignored
      expect(log).toEqual(['slow', 'next']);
    });
  });

  describe('#close', () => {
    it('aborts queued operations and every later one, and ignores the abandoned done', () => {
      const queue = new SerialQueue();
      const log: string[] = [];
      let finish = () => {};
      queue.run((done) => {
        finish = done;
      });
      queue.run(
        () => log.push('never'),
        () => log.push('aborted queued'),
      );
      queue.close();
      finish();
      queue.run(
        () => log.push('never'),
        () => log.push('aborted late'),
      );
      expect(log).toEqual(['aborted queued', 'aborted late']);
      expect(queue.closed).toBe(true);
    });
  });
  describe('a throwing operation', () => {
    it('answers it with abort, reports the error and runs the next operations', () => {
      const errors: unknown[] = [];
      const queue = new SerialQueue((error) => errors.push(error));
      const log: string[] = [];
      expect(() =>
        queue.run(
          () => {
            throw new Error('boom');
          },
          () => log.push('aborted'),
        ),
      ).not.toThrow();
      queue.run((done) => {
        log.push('next');
        done();
      });
      expect(log).toEqual(['aborted', 'next']);
      expect(errors).toEqual([new Error('boom')]);
    });

    it('does not abort an operation that called done before it threw, and keeps the queue moving', () => {
      const errors: unknown[] = [];
      const queue = new SerialQueue((error) => errors.push(error));
      const log: string[] = [];
      let finish = () => {};
      queue.run((done) => {
        finish = done;
      });
      queue.run(
        (done) => {
          done();
          throw new Error('after done');
        },
        () => log.push('aborted'),
      );
      queue.run((done) => {
        log.push('last');
        done();
      });
      expect(() => finish()).not.toThrow();
      expect(log).toEqual(['last']);
      expect(errors).toHaveLength(1);
    });
  });
});
