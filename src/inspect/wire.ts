/**
 * Makes inspection events safe to send, store and show: refs become their addresses, functions
 * and symbols disappear, errors become `{ name, message, code? }`, and big or deep payloads are cut.
 */
import type { InspectionEvent } from '../actors/inspection.js';

/** Limits of {@link toWireValue}. */
export interface WireLimits {
  /** Longest string kept, characters; longer ones end in `…`. Default 500. */
  maxString: number;
  /** Deepest nesting kept; deeper values become `'[…]'`. Default 6. */
  maxDepth: number;
  /** Most array items / object keys kept per level. Default 50. */
  maxItems: number;
}

const defaultLimits: WireLimits = { maxString: 500, maxDepth: 6, maxItems: 50 };

/**
 * An inspection event made wire-safe, stamped with the time (`at`, ms since the epoch on the
 * node that saw it) and, for actors spawned while a chart catalog watches, the id of its chart.
 *
 * @example
 * ```ts
 * captureInspection(system).subscribe((r) => {
 *   if (r.type === '@troupe.message') console.log(r.at, r.to, r.eventType);
 * });
 * ```
 */
export type WireEvent = InspectionEvent & { at: number; chart?: string };

/** A JSON-safe copy of `value` within `limits`. */
export function toWireValue(value: unknown, limits: WireLimits = defaultLimits, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > limits.maxString ? `${value.slice(0, limits.maxString)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as Record<string, unknown>;
  if (isRef(obj)) return obj.address;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: toWireValue(value.name, limits, depth + 1),
      message: toWireValue(value.message, limits, depth + 1),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  if (depth >= limits.maxDepth) return '[…]';
  if (Array.isArray(value)) {
    const n = Math.min(value.length, limits.maxItems);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = toWireValue(value[i], limits, depth + 1) ?? null;
    if (value.length > n) out.push(`[… ${value.length - n} more]`);
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map || value instanceof Set) return `[${value.constructor.name} of ${value.size}]`;
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  let kept = 0;
  let skipped = 0;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (kept === limits.maxItems) {
      skipped++;
      continue;
    }
    const v = toWireValue(obj[key], limits, depth + 1);
    if (v === undefined) continue;
    out[key] = v;
    kept++;
  }
  if (skipped > 0) out['…'] = `${skipped} more keys`;
  return out;
}

/**
 * `value` itself when it is already wire-safe and small (plain objects, at most 16 keys a level
 * and 3 levels deep, of short strings, finite numbers, booleans and null), else a safe copy. Most
 * events and state values take the first path, which allocates nothing: what keeps an attached
 * inspector cheap. Events are treated as immutable once sent, as XState does.
 */
export function toCompactValue(value: unknown, limits: WireLimits = defaultLimits): unknown {
  return isCompact(value, limits.maxString, 0) ? value : toWireValue(value, limits);
}

/** True when `value` is already wire-safe and small (see {@link toCompactValue}). */
export function isCompactValue(value: unknown, limits: WireLimits = defaultLimits): boolean {
  return isCompact(value, limits.maxString, 0);
}

function isCompact(value: unknown, maxString: number, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.length <= maxString;
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= 3 || Object.getPrototypeOf(value) !== Object.prototype) return false;
      let n = 0;
      for (const key in value) {
        if (++n > 16 || !isCompact((value as Record<string, unknown>)[key], maxString, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The wire-safe form of one inspection event. */
export function toWireEvent(event: InspectionEvent, at: number, limits: WireLimits = defaultLimits): WireEvent {
  // the two events of every message get a direct path; the rest are rare
  if (event.type === '@troupe.message') {
    const wire: WireEvent = {
      type: event.type,
      node: event.node,
      to: event.to,
      eventType: event.eventType,
      event: toCompactValue(event.event, limits),
      at,
    };
    if (event.from !== undefined) wire.from = event.from;
    return wire;
  }
  if (event.type === '@troupe.state') {
    return {
      type: event.type,
      node: event.node,
      address: event.address,
      value: toCompactValue(event.value, limits),
      status: event.status,
      at,
    };
  }
  const wire = toWireValue(event, limits) as WireEvent;
  wire.at = at;
  return wire;
}

function isRef(value: Record<string, unknown>): value is { address: string } {
  return typeof value.address === 'string' && typeof value.send === 'function';
}

/** True when `value` looks like a wire event: an object with a string `type` starting `@troupe.`. */
export function isWireEvent(value: unknown): value is WireEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { type, node } = value as { type?: unknown; node?: unknown };
  return typeof type === 'string' && type.startsWith('@troupe.') && typeof node === 'string';
}
