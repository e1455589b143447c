/** What the ReAct loop needs of a tool, whether it is a worker actor or a function. @internal */
import type { z } from 'zod';
import type { Usage } from '../patterns/worker-protocol.js';
import type { Clock } from '../util/clock.js';
import { describeZodError } from './describe.js';

/** One attempt at a call. @internal */
export interface AttemptContext {
  signal: AbortSignal;
  /** 0 for the first try; a worker with several refs picks another one on each retry. */
  attempt: number;
  /** The model's id of the tool call: a worker task's id derives from it, which links traces across nodes. */
  callId: string;
  timeoutMs: number;
  /** Depth of the task the call makes (the caller's depth + 1). */
  depth: number;
  maxDepth: number;
  /** The system's clock, for timeouts. */
  clock: Clock;
  /**
   * The replica the call's last attempt went to, kept across its attempts: a worker with several
   * refs sends a retry to the next one (a shared round-robin counter could hand it the same ref
   * again when other calls ran in between).
   */
  replica: { index?: number };
}

/** A tool of a coordinator or agent. @internal */
export interface LoopTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  input: z.ZodType;
  /** Validates a result (untrusted) when the tool has an output schema. */
  output: z.ZodType | undefined;
  execute(input: unknown, context: AttemptContext): Promise<{ output: unknown; usage?: Usage }>;
  /** Whether a failure is a runtime failure worth another attempt. */
  retryable(error: unknown): boolean;
}

/** Checks `value` against `schema`: the parsed value, or why it failed. @internal */
export function check(schema: z.ZodType, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeZodError(parsed.error) };
}
