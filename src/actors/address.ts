import { createError } from '../errors.js';

/** Every address starts with this scheme. */
export const SCHEME = 'troupe://';

/** A parsed `troupe://<node>/<path>` address. */
export interface ParsedAddress {
  node: string;
  /** Names from the root joined by `/`, e.g. `app/lead/search-1`. */
  path: string;
}

/** Letters and digits: the alphabet of generated names and ids. */
export const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@~+-]{0,199}$/;
const NODE = /^[A-Za-z0-9_][A-Za-z0-9_.:@~+-]{0,99}$/;

/** Builds an address string. */
export function formatAddress(node: string, path: string): string {
  return `${SCHEME}${node}/${path}`;
}

/**
 * True for the path of a temporary (an ask's reply ref, a stream end, an orphan guard): troupe
 * names them `$<kind>.<id>`, and no actor name starts with `$`.
 */
export function isTemporaryPath(path: string): boolean {
  return path.charCodeAt(0) === 36; // '$'
}

/** The path of `address` when it lives on `node`, else undefined. */
export function pathOf(address: string, node: string): string | undefined {
  const prefix = nodePrefix(node);
  return address.startsWith(prefix) ? address.slice(prefix.length) : undefined;
}

/** True when `address` lives on `node`. */
export function isOnNode(address: string, node: string): boolean {
  return address.startsWith(nodePrefix(node));
}

/** `troupe://<node>/`: what every address on `node` starts with. */
export function nodePrefix(node: string): string {
  return `${SCHEME}${node}/`;
}

/** Parses an address string; throws `TROUPE_ERR_INVALID_ADDRESS` when it is not one. */
export function parseAddress(address: string): ParsedAddress {
  if (typeof address !== 'string' || !address.startsWith(SCHEME)) {
    throw createError('TROUPE_ERR_INVALID_ADDRESS', `not a troupe address: ${String(address)}`);
  }
  const rest = address.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const node = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (!NODE.test(node) || path.length === 0 || path.split('/').some((s) => !isSegment(s))) {
    throw createError('TROUPE_ERR_INVALID_ADDRESS', `not a troupe address: ${address}`);
  }
  return { node, path };
}

function isSegment(s: string): boolean {
  return NAME.test(s) || (s.startsWith('$') && NAME.test(s.slice(1)));
}

/**
 * Throws `TROUPE_ERR_INVALID_NAME` unless `name` is a valid actor name: 1–200 characters of
 * letters, digits and `_ . : @ ~ + -`, not starting with a punctuation mark. Names starting with
 * `$` are reserved for troupe's own temporary actors.
 */
export function validateName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw createError(
      'TROUPE_ERR_INVALID_NAME',
      `invalid actor name ${JSON.stringify(name)}: use 1-200 of [A-Za-z0-9_.:@~+-], starting with a letter, digit or _`,
    );
  }
  return name;
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `node` is a valid node id. */
export function validateNodeId(node: string): string {
  if (typeof node !== 'string' || !NODE.test(node)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `invalid node id ${JSON.stringify(node)}: use 1-100 of [A-Za-z0-9_.:@~+-]`);
  }
  return node;
}
