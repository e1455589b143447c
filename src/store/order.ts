/**
 * Key order shared by every store: by Unicode code point, which is the byte order of UTF-8 — what
 * SQLite's BINARY collation and Postgres's "C" collation sort by.
 * @module
 */

/** Compares two keys by code point. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800–0xDFFF) stands for a code point above 0xFFFF, so it sorts after every
    // other UTF-16 unit, although 0xE000–0xFFFF are numerically larger.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
