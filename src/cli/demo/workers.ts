/**
 * The logic the demo's worker nodes host: `auditor`, a worker that audits one file's text. It is
 * sent the text, not a path, so a worker node on another machine audits as well as a local one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineWorker } from '../../agents/worker.js';
import { auditFile, CHECKS } from './audit.js';

/** One task of the audit. */
export const auditInput = z.object({
  path: z.string().min(1).max(4096),
  content: z.string().max(1024 * 1024),
  checks: z.array(z.enum(CHECKS)).min(1),
  /** Milliseconds each task takes at least, so a person can watch the bars move. */
  paceMs: z.number().int().min(0).max(5000).default(0),
});

/** Audits one file. */
export const auditor = defineWorker({
  name: 'auditor',
  description: 'Audits one source file: size, TODO/FIXME markers, longest function, imports, licence header, long lines.',
  input: auditInput,
  async run({ input, signal }) {
    if (input.paceMs > 0) await sleep(input.paceMs, undefined, { signal });
    return auditFile(input.path, input.content, input.checks);
  },
});
