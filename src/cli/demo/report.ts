/**
 * Turns the per-file audits of `troupe demo` into the report a developer reads: the largest files,
 * the longest functions, open markers, files without a licence header, the most imported modules,
 * and how the work was spread over the nodes.
 */
import type { FileAudit } from './audit.js';

/** How the run went, beside what it found. */
export interface RunFacts {
  tasks: number;
  done: number;
  lost: number;
  requeued: number;
  /** Tasks finished per node id. */
  perNode: Record<string, number>;
  /** The node the demo killed, if it did. */
  killed?: string;
  elapsedMs: number;
}

/** The figures a summary (deterministic or written by a model) is made from. */
export interface Findings {
  files: number;
  lines: number;
  bytes: number;
  largest: { path: string; lines: number }[];
  longestFunctions: { path: string; name: string; line: number; lines: number }[];
  markers: { path: string; line: number; tag: string; text: string }[];
  markerCounts: Record<string, number>;
  withoutLicence: string[];
  topImports: { module: string; files: number }[];
  longLines: number;
}

const TOP = 5;

/** Aggregates audits into findings. */
export function summarize(audits: readonly FileAudit[]): Findings {
  const byLines = audits.filter((a) => a.lines !== undefined).sort((a, b) => b.lines! - a.lines! || a.path.localeCompare(b.path));
  const fns = audits
    .filter((a) => a.longestFunction !== undefined)
    .map((a) => ({ path: a.path, ...a.longestFunction! }))
    .sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path));
  const markers = audits.flatMap((a) => (a.markers ?? []).map((m) => ({ path: a.path, ...m })));
  const markerCounts: Record<string, number> = {};
  for (const m of markers) markerCounts[m.tag] = (markerCounts[m.tag] ?? 0) + 1;
  const imports = new Map<string, number>();
  for (const a of audits) for (const m of a.imports ?? []) imports.set(m, (imports.get(m) ?? 0) + 1);
  const topImports = [...imports]
    .map(([module, files]) => ({ module, files }))
    .sort((a, b) => b.files - a.files || a.module.localeCompare(b.module))
    .slice(0, TOP);
  return {
    files: audits.length,
    lines: audits.reduce((n, a) => n + (a.lines ?? 0), 0),
    bytes: audits.reduce((n, a) => n + (a.bytes ?? 0), 0),
    largest: byLines.slice(0, TOP).map((a) => ({ path: a.path, lines: a.lines! })),
    longestFunctions: fns.slice(0, TOP),
    markers: markers.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line),
    markerCounts,
    withoutLicence: audits
      .filter((a) => a.licenceHeader === false)
      .map((a) => a.path)
      .sort(),
    topImports,
    longLines: audits.reduce((n, a) => n + (a.longLines ?? 0), 0),
  };
}

/** A short deterministic summary of the findings (what the LLM writes when one is configured). */
export function plainSummary(f: Findings): string {
  const parts = [`${f.files} files, ${f.lines.toLocaleString('en-US')} lines.`];
  if (f.largest[0] !== undefined) parts.push(`Largest: ${f.largest[0].path} (${f.largest[0].lines} lines).`);
  if (f.longestFunctions[0] !== undefined) {
    const l = f.longestFunctions[0];
    parts.push(`Longest function: ${l.name} in ${l.path} (${l.lines} lines) — a candidate to split.`);
  }
  const markerTotal = Object.values(f.markerCounts).reduce((a, b) => a + b, 0);
  parts.push(markerTotal === 0 ? 'No open TODO/FIXME markers.' : `${markerTotal} open markers (${formatCounts(f.markerCounts)}).`);
  if (f.withoutLicence.length > 0) parts.push(`${f.withoutLicence.length} files have no licence header.`);
  return parts.join(' ');
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}

/** The report as lines of text, ending with the demo's last line. */
export function formatReport(f: Findings, run: RunFacts, summary: string): string[] {
  const out: string[] = [];
  out.push('', 'Audit report', '============', summary, '');
  out.push('Largest files');
  for (const l of f.largest) out.push(`  ${String(l.lines).padStart(6)} lines  ${l.path}`);
  out.push('Longest functions');
  for (const l of f.longestFunctions) out.push(`  ${String(l.lines).padStart(6)} lines  ${l.name} (${l.path}:${l.line})`);
  out.push(`Open markers: ${Object.keys(f.markerCounts).length === 0 ? 'none' : formatCounts(f.markerCounts)}`);
  for (const m of f.markers.slice(0, TOP)) out.push(`  ${m.tag} ${m.path}:${m.line} ${m.text}`);
  if (f.markers.length > TOP) out.push(`  … and ${f.markers.length - TOP} more`);
  out.push(`Files without a licence header: ${f.withoutLicence.length} of ${f.files}`);
  out.push(`Lines over 120 characters: ${f.longLines}`);
  out.push('Most imported modules');
  for (const i of f.topImports) out.push(`  ${String(i.files).padStart(6)} files  ${i.module}`);
  out.push('', 'How the work was spread');
  for (const [node, n] of Object.entries(run.perNode).sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(`  ${node.padEnd(12)} ${n} tasks${node === run.killed ? ' (killed midway)' : ''}`);
  }
  out.push(`  re-queued after the kill: ${run.requeued}`);
  out.push(`  elapsed: ${(run.elapsedMs / 1000).toFixed(1)} s`, '');
  out.push(`demo: ${run.tasks} tasks, ${run.done} done, ${run.lost} lost, ${run.requeued} re-queued`);
  return out;
}
