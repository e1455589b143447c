/**
 * The per-file checks of `troupe demo`'s source audit: pure functions of a file's path and text, so
 * a worker on any node can run them on the content it is sent.
 */

/** The checks a plan may ask for. */
export const CHECKS = ['size', 'markers', 'longest-function', 'imports', 'licence', 'long-lines'] as const;
/** One check's name. */
export type CheckName = (typeof CHECKS)[number];

/** A TODO/FIXME/HACK/XXX marker and where it is. */
export interface Marker {
  line: number;
  tag: string;
  text: string;
}

/** What the audit found in one file. Fields of checks that were not run are absent. */
export interface FileAudit {
  path: string;
  lines?: number;
  bytes?: number;
  markers?: Marker[];
  longestFunction?: { name: string; line: number; lines: number };
  imports?: string[];
  licenceHeader?: boolean;
  longLines?: number;
}

// a marker opens its comment (`// TODO: …`, `* FIXME(ana) …`); prose that mentions one is not one
const MARKER = /^\s*(TODO|FIXME|HACK|XXX)\b(?:\([^)]*\))?[:\s]*(.*)$/;
const IMPORT_FROM = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/;
const IMPORT_BARE = /^\s*import\s+['"]([^'"]+)['"]/;
const REQUIRE = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/;
const FUNCTION_START =
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)|(?:(?:public|private|protected|static|async|get|set|override|readonly)\s+)*#?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{)/;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'with', 'else', 'do', 'try', 'new', 'typeof']);
const LONG_LINE = 120;

/**
 * Audits one file's text.
 *
 * @example
 * ```ts
 * const a = auditFile('src/x.ts', 'export function f() {\n  // TODO: more\n}\n');
 * // a.markers → [{ line: 2, tag: 'TODO', text: 'more' }], a.longestFunction → { name: 'f', line: 1, lines: 3 }
 * ```
 */
export function auditFile(path: string, text: string, checks: readonly CheckName[] = CHECKS): FileAudit {
  const audit: FileAudit = { path };
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const want = new Set(checks);
  if (want.has('size')) {
    audit.lines = lines.length;
    audit.bytes = Buffer.byteLength(text);
  }
  if (want.has('markers')) audit.markers = findMarkers(lines);
  if (want.has('longest-function')) {
    const longest = longestFunction(lines);
    if (longest !== undefined) audit.longestFunction = longest;
  }
  if (want.has('imports')) audit.imports = findImports(lines);
  if (want.has('licence')) audit.licenceHeader = hasLicenceHeader(lines);
  if (want.has('long-lines')) audit.longLines = lines.filter((l) => l.length > LONG_LINE).length;
  return audit;
}

function findMarkers(lines: string[]): Marker[] {
  const found: Marker[] = [];
  lines.forEach((line, i) => {
    // markers live in comments; a string that happens to say TODO is not one
    const comment = commentOf(line);
    if (comment === undefined) return;
    const m = MARKER.exec(comment);
    if (m !== null) found.push({ line: i + 1, tag: m[1]!, text: m[2]!.trim().slice(0, 160) });
  });
  return found;
}

function commentOf(line: string): string | undefined {
  const slash = line.indexOf('//');
  if (slash >= 0 && !insideString(line, slash)) return line.slice(slash + 2);
  const m = /^\s*(?:\/\*+|\*|#)(?!\/)(.*)$/.exec(line);
  return m === null ? undefined : m[1];
}

function insideString(line: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
  }
  return quote !== undefined;
}

function findImports(lines: string[]): string[] {
  const modules = new Set<string>();
  for (const line of lines) {
    const m = IMPORT_FROM.exec(line) ?? IMPORT_BARE.exec(line) ?? REQUIRE.exec(line) ?? DYNAMIC_IMPORT.exec(line);
    if (m !== null) modules.add(m[1]!);
  }
  return [...modules].sort();
}

function hasLicenceHeader(lines: string[]): boolean {
  const head = lines.slice(0, 15).join('\n');
  return /\b(licen[cs]e|copyright|SPDX-License-Identifier)\b/i.test(head);
}

/** Finds function bodies by brace matching from lines that open one; strings and comments are skipped. */
function longestFunction(lines: string[]): { name: string; line: number; lines: number } | undefined {
  let best: { name: string; line: number; lines: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = FUNCTION_START.exec(lines[i]!);
    if (m === null) continue;
    const name = m[1] ?? m[2] ?? m[3];
    if (name === undefined || KEYWORDS.has(name)) continue;
    const end = closingLine(lines, i);
    if (end === undefined) continue;
    const length = end - i + 1;
    if (best === undefined || length > best.lines) best = { name, line: i + 1, lines: length };
  }
  return best;
}

function closingLine(lines: string[], start: number): number | undefined {
  const opener = lines[start]!;
  if (!opener.trimEnd().endsWith('{')) return undefined;
  // formatted code closes a block at the indentation that opened it; braces in strings, regexes
  // and comments cannot fool that
  const indent = indentOf(opener);
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim().length === 0) continue;
    const at = indentOf(line);
    if (at < indent) return undefined;
    if (at === indent) return line.trimStart().startsWith('}') ? i : undefined;
  }
  return undefined;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
