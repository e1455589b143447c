/**
 * `list(prefix)` as a key range: every key that starts with `prefix` lies in `[prefix, upper)`,
 * where `upper` is `prefix` with its last code point raised by one. SQL backends query the range on
 * their primary-key index, so `%`, `_` and `\` in a prefix need no LIKE escaping at all.
 * @module
 */

const MAX_CODE_POINT = 0x10ffff;

/**
 * The least string greater than every string that starts with `prefix`, in code-point order, or
 * `undefined` when there is none (the prefix is empty or made only of U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last === MAX_CODE_POINT) continue;
    // Skip the surrogate block: those are not code points a string can hold on its own.
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return String.fromCodePoint(...points, next);
  }
  return undefined;
}
