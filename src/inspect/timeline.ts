/**
 * The message timeline of the inspector: the newest messages in a ring, each one's time beside it,
 * and asks linked to their replies (a reply is a message to the address its ask named in
 * `replyTo`).
 */
import type { MessageInspectionEvent } from '../actors/inspection.js';
import { Ring } from './ring.js';

/** A row of the message timeline. */
export interface MessageRow {
  seq: number;
  at: number;
  node: string;
  from?: string;
  to: string;
  type: string;
  event: unknown;
  /** For an ask: the reply's `seq`, once seen. */
  reply?: number;
  /** For a reply: the ask's `seq`. */
  replyTo?: number;
  ask?: boolean;
}

/** A page of a list, and how many items match in all. */
export interface Page<T> {
  total: number;
  offset: number;
  rows: T[];
}

/** A message as kept: the runtime's own event (small plain payloads) or its wire-safe copy. */
export type StoredMessage = MessageInspectionEvent;

/** Messages kept within a fixed count, with ask/reply links. */
export class MessageTimeline {
  /** Messages as they came (the ring position gives their `seq`: `total - size + i`). */
  readonly ring: Ring<StoredMessage>;
  /** When each kept message was seen, at `seq % capacity`. */
  readonly #at: Float64Array;
  /** Pending asks: reply address → the ask's seq. */
  readonly #asks = new Map<string, number>();
  /** Ask seq → reply seq, and `-replySeq - 1` → ask seq, for linked pairs. */
  readonly #links = new Map<number, number>();

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
    this.#at = new Float64Array(capacity);
  }

  /** Messages ever added. */
  get total(): number {
    return this.ring.total;
  }

  /** Messages kept. */
  get size(): number {
    return this.ring.size;
  }

  push(e: StoredMessage, at: number): void {
    const seq = this.ring.total;
    this.#at[seq % this.ring.capacity] = at;
    const replyTo = (e.event as { replyTo?: unknown } | undefined)?.replyTo;
    if (typeof replyTo === 'string') {
      this.#asks.set(replyTo, seq);
      if (this.#asks.size > 10_000) this.#asks.delete(this.#asks.keys().next().value as string);
    }
    if (this.#asks.size > 0) {
      const ask = this.#asks.get(e.to);
      if (ask !== undefined) {
        this.#asks.delete(e.to);
        this.#links.set(ask, seq);
        this.#links.set(-seq - 1, ask);
        if (this.#links.size > 20_000) this.#links.delete(this.#links.keys().next().value as number);
      }
    }
    this.ring.push(e);
  }

  #row(e: StoredMessage, seq: number): MessageRow {
    const row: MessageRow = {
      seq,
      at: this.#at[seq % this.ring.capacity],
      node: e.node,
      to: String(e.to),
      type: String(e.eventType),
      event: e.event,
    };
    if (typeof e.from === 'string') row.from = e.from;
    if (typeof (e.event as { replyTo?: unknown } | undefined)?.replyTo === 'string') row.ask = true;
    const reply = this.#links.get(seq);
    if (reply !== undefined) row.reply = reply;
    const ask = this.#links.get(-seq - 1);
    if (ask !== undefined) row.replyTo = ask;
    return row;
  }

  /** Messages, oldest first, filtered by actor (sender or receiver address contains it) and type. */
  page(offset: number, limit: number, filter: { actor?: string; type?: string } = {}): Page<MessageRow> {
    const { actor, type } = filter;
    const ring = this.ring;
    const first = ring.total - ring.size;
    const rows: MessageRow[] = [];
    if (!actor && !type) {
      for (let i = offset; i < Math.min(offset + limit, ring.size); i++) rows.push(this.#row(ring.at(i) as StoredMessage, first + i));
      return { total: ring.size, offset, rows };
    }
    let total = 0;
    for (let i = 0; i < ring.size; i++) {
      const m = ring.at(i) as StoredMessage;
      if (type && !String(m.eventType).includes(type)) continue;
      if (actor && !String(m.to).includes(actor) && !(typeof m.from === 'string' && m.from.includes(actor))) continue;
      if (total >= offset && rows.length < limit) rows.push(this.#row(m, first + i));
      total++;
    }
    return { total, offset, rows };
  }

  /** Where message `seq` sits in the unfiltered timeline, or -1. */
  indexOf(seq: number): number {
    const index = seq - (this.ring.total - this.ring.size);
    return index >= 0 && index < this.ring.size ? index : -1;
  }
}
