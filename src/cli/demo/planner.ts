/**
 * The demo's coordinator brain: which checks to run and the summary of what they found. With an
 * LLM (OPENAI_BASE_URL set), the model plans and writes; without, a deterministic planner does.
 * The model's plan is untrusted: unknown checks are dropped, and an unusable plan falls back to all.
 */
import type { LlmClient } from '../../agents/llm/llm.js';
import { CHECKS, type CheckName } from './audit.js';
import { type Findings, plainSummary } from './report.js';

/** Plans the audit and writes its summary. */
export interface Planner {
  /** `'llm (model)'` or `'deterministic'`. */
  readonly kind: string;
  plan(overview: { files: number; extensions: Record<string, number> }): Promise<CheckName[]>;
  summarize(findings: Findings): Promise<string>;
}

/** Runs every check and summarizes by rule. */
export function deterministicPlanner(): Planner {
  return {
    kind: 'deterministic',
    async plan() {
      return [...CHECKS];
    },
    async summarize(findings) {
      return plainSummary(findings);
    },
  };
}

/** Asks `llm` for the plan and the summary; falls back to the deterministic answer on any failure. */
export function llmPlanner(llm: LlmClient, warn: (line: string) => void): Planner {
  const fallback = deterministicPlanner();
  return {
    kind: `llm (${llm.model})`,
    async plan(overview) {
      try {
        const { message } = await llm.chat({
          messages: [
            {
              role: 'system',
              content:
                'You plan a source-code audit. Answer with JSON only: {"checks": [...]}, choosing from ' +
                `${CHECKS.map((c) => `"${c}"`).join(', ')}. Pick the checks a reviewer of this tree would want.`,
            },
            { role: 'user', content: JSON.stringify(overview) },
          ],
        });
        const checks = parsePlan(message.content);
        if (checks.length > 0) return checks;
        warn('the model gave no usable plan; running every check');
      } catch (err) {
        warn(`the model could not plan (${err instanceof Error ? err.message : String(err)}); running every check`);
      }
      return fallback.plan(overview);
    },
    async summarize(findings) {
      try {
        const { message } = await llm.chat({
          messages: [
            { role: 'system', content: 'You summarize a source-code audit for its developers in at most five sentences. Plain text.' },
            { role: 'user', content: JSON.stringify({ ...findings, markers: findings.markers.slice(0, 20) }) },
          ],
        });
        const text = (message.content ?? '').trim();
        if (text.length > 0) return text.slice(0, 2000);
        warn('the model wrote no summary; using the plain one');
      } catch (err) {
        warn(`the model could not summarize (${err instanceof Error ? err.message : String(err)}); using the plain one`);
      }
      return fallback.summarize(findings);
    },
  };
}

/** Reads `{ "checks": [...] }` out of model text (possibly fenced), keeping only known checks. */
export function parsePlan(text: string | null): CheckName[] {
  if (text === null) return [];
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  const checks = (parsed as { checks?: unknown }).checks;
  if (!Array.isArray(checks)) return [];
  const known = new Set<string>(CHECKS);
  return [...new Set(checks.filter((c): c is CheckName => typeof c === 'string' && known.has(c)))];
}
