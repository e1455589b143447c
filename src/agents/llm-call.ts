/** One model request of an agent: timed with the system's clock, reported as `@troupe.llm`, its answer checked. */
import type { ActorSystem } from '../actors/system.js';
import { createError, TroupeError } from '../errors.js';
import { type Usage, usageOf } from '../patterns/worker-protocol.js';
import type { LlmClient, LlmRequest, LlmToolCall } from './llm/llm.js';

/** A model's answer, checked: text or null, and well-formed tool calls. @internal */
export interface ModelTurn {
  content: string | null;
  toolCalls: LlmToolCall[];
  usage: Usage;
  model: string;
}

/** Who is asking, for inspection. @internal */
export interface Caller {
  system: ActorSystem;
  actor: string;
  taskId: string;
}

/**
 * Sends `request` and returns the checked answer. A client that answers with something malformed
 * fails with `TROUPE_ERR_LLM_BAD_RESPONSE`; its own failures keep their codes.
 * @internal
 */
export async function callModel(llm: LlmClient, request: LlmRequest, caller: Caller): Promise<ModelTurn> {
  const started = caller.system.clock.now();
  try {
    const response = await untilAborted(Promise.resolve(llm.chat(request)), request.signal, caller);
    if (typeof response !== 'object' || response === null || typeof response.message !== 'object' || response.message === null) {
      throw createError('TROUPE_ERR_LLM_BAD_RESPONSE', `${caller.actor}: the model client returned no message`);
    }
    const content = typeof response.message.content === 'string' ? response.message.content : null;
    const rawCalls: unknown = response.message.toolCalls;
    const toolCalls = Array.isArray(rawCalls) ? checkToolCalls(rawCalls) : [];
    // the server's name keys usage.byModel: `__proto__` would set that record's prototype instead
    const reported = response.model;
    const model = typeof reported === 'string' && reported !== '' && reported !== '__proto__' ? reported : llm.model;
    const u = response.usage;
    const count = (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0);
    const usage = usageOf(model, count(u?.inputTokens), count(u?.outputTokens));
    emitLlm(caller, started, { model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, toolCalls: toolCalls.length });
    return { content, toolCalls, usage, model };
  } catch (err) {
    const error = err instanceof TroupeError ? err.code : 'TROUPE_ERR_LLM_FAILED';
    emitLlm(caller, started, { model: request.model ?? llm.model, inputTokens: 0, outputTokens: 0, error });
    if (err instanceof TroupeError) throw err;
    throw createError('TROUPE_ERR_LLM_FAILED', `${caller.actor}: the model request failed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
    });
  }
}

/**
 * The calls of one answer, well-formed and with unique ids: a model may repeat an id or leave it
 * out, but each result must answer exactly one call (a repeated id gets a `_2`, `_3`, … suffix).
 */
function checkToolCalls(raw: readonly unknown[]): LlmToolCall[] {
  const seen = new Set<string>();
  return raw.map((c, i) => {
    const call = c as Partial<LlmToolCall> | null;
    const given = typeof call?.id === 'string' && call.id !== '' ? call.id : `call_${i}`;
    let id = given;
    for (let n = 2; seen.has(id); n++) id = `${given}_${n}`;
    seen.add(id);
    return { id, name: typeof call?.name === 'string' ? call.name : '', arguments: argumentsText(call?.arguments) };
  });
}

/**
 * `work`, or a `TROUPE_ERR_CANCELLED` rejection as soon as `signal` aborts: a client that ignores
 * its signal must not keep a cancelled run waiting forever.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, caller: Caller): Promise<T> {
  if (signal === undefined) return work;
  const cancelled = () => createError('TROUPE_ERR_CANCELLED', `${caller.actor}: the model request was cancelled`, { cause: signal.reason });
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** A call's arguments as JSON text: a client may hand them over parsed (an object), as some servers send them. */
function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args;
  if (typeof args !== 'object' || args === null) return '';
  try {
    return JSON.stringify(args);
  } catch {
    // not JSON (cyclic, BigInt): screening refuses it as invalid
    return '\u0000';
  }
}

/** Emits a `@troupe.llm` inspection event for one request. */
function emitLlm(
  caller: Caller,
  started: number,
  fields: { model: string; inputTokens: number; outputTokens: number; toolCalls?: number; error?: string },
): void {
  const { system } = caller;
  if (!system.inspection.active) return;
  system.inspection.emit({
    type: '@troupe.llm',
    node: system.node,
    actor: caller.actor,
    latencyMs: system.clock.now() - started,
    taskId: caller.taskId,
    ...fields,
  });
}
