/**
 * One turn's tool calls, from the model's text to the tool messages: each call is screened
 * (unknown tool, outside `allow`, arguments not JSON or failing the schema, `approve` denying, the
 * worker-call budget spent) — a refused call never reaches a worker — then the rest run at most
 * `maxConcurrency` at a time (each as `call.ts` runs it). Outcomes come back in call order.
 */
import { createError, type TroupeError } from '../errors.js';
import { emptyUsage } from '../patterns/worker-protocol.js';
import { execute, refused, type TurnConfig } from './call.js';
import { askApproval } from './guardrails.js';
import type { LlmToolCall } from './llm/llm.js';
import { check, type LoopTool } from './loop-tool.js';
import { type CallOutcome, finishedCall, type RunState, recordFinished } from './run-state.js';
import { RETRIEVE_TOOL, retrieveInput } from './scratchpad.js';

export type { TurnConfig } from './call.js';

/** A call the model made, as the turn sees it. @internal */
export interface TurnCall {
  call: LlmToolCall;
  /** The parsed arguments (for the decision record), or the raw text. */
  input: unknown;
}

/** A screened call on its way to a worker. */
interface PendingCall {
  index: number;
  tool: LoopTool;
  input: unknown;
}

/** Runs a turn's calls; resolves to one outcome per call, in call order. @internal */
export async function runTurn(
  calls: readonly LlmToolCall[],
  state: RunState,
  cfg: TurnConfig,
  signal: AbortSignal,
): Promise<{ calls: TurnCall[]; outcomes: CallOutcome[] }> {
  const turnCalls: TurnCall[] = [];
  const outcomes: (CallOutcome | undefined)[] = [];
  const pending: PendingCall[] = [];
  for (const [index, call] of calls.entries()) {
    const done = finishedCall(state, call.id);
    const screened = done === undefined ? screen(call, state, cfg) : { outcome: done, input: parseLoose(call.arguments) };
    turnCalls.push({ call, input: screened.input });
    outcomes[index] = screened.outcome;
    if (screened.outcome === undefined && screened.tool !== undefined) pending.push({ index, tool: screened.tool, input: screened.input });
  }
  const approved = await approveWithinBudget(pending, calls, outcomes, state, cfg, signal);
  cfg.setPhase('awaiting');
  await runApproved(approved, calls, outcomes, state, cfg, signal);
  return { calls: turnCalls, outcomes: outcomes as CallOutcome[] };
}

/**
 * The calls that may run: those within the run's worker-call budget (in call order; the rest are
 * refused without asking anyone) that `approve` lets through. Approvals may wait for a person, so
 * every call of the turn is asked at once.
 */
async function approveWithinBudget(
  pending: readonly PendingCall[],
  calls: readonly LlmToolCall[],
  outcomes: (CallOutcome | undefined)[],
  state: RunState,
  cfg: TurnConfig,
  signal: AbortSignal,
): Promise<PendingCall[]> {
  const budget = Math.max(0, cfg.limits.maxWorkerCalls - state.workerCalls);
  for (const p of pending.slice(budget)) {
    outcomes[p.index] = refused(
      'TROUPE_ERR_NOT_ALLOWED',
      `not run: the run's limit of ${cfg.limits.maxWorkerCalls} worker calls is reached`,
    );
  }
  const asked = pending.slice(0, budget);
  const approvals = await Promise.all(
    asked.map((p) =>
      askApproval(
        cfg.guardrails,
        { id: calls[p.index]!.id, worker: p.tool.name, input: p.input, iteration: cfg.iteration, taskId: cfg.caller.taskId },
        signal,
        cfg.caller.system.clock,
      ),
    ),
  );
  if (signal.aborted) throw cancelled(cfg, signal);
  const approved: PendingCall[] = [];
  for (const [i, p] of asked.entries()) {
    const denial = approvals[i];
    if (denial !== undefined) outcomes[p.index] = refused('TROUPE_ERR_NOT_ALLOWED', `call to ${p.tool.name} refused: ${denial}`);
    else {
      state.workerCalls++;
      approved.push(p);
    }
  }
  return approved;
}

/** Runs the approved calls, at most `maxConcurrency` at once; each outcome lands at its call's index. */
async function runApproved(
  approved: readonly PendingCall[],
  calls: readonly LlmToolCall[],
  outcomes: (CallOutcome | undefined)[],
  state: RunState,
  cfg: TurnConfig,
  signal: AbortSignal,
): Promise<void> {
  // a call that escalates with nobody to arbitrate fails the run: its siblings are cancelled
  const turn = new AbortController();
  const onAbort = () => turn.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  // each call gets its own signal, all aborted from one listener: hundreds of listeners on one
  // AbortSignal cost quadratic time (every add and remove scans the list)
  const live = new Set<AbortController>();
  turn.signal.addEventListener('abort', () => {
    for (const c of live) c.abort(turn.signal.reason);
  });
  try {
    await pool(approved, cfg.limits.maxConcurrency, turn, async (p) => {
      const call = new AbortController();
      live.add(call);
      try {
        const outcome = await execute(p.tool, p.input, calls[p.index]!, state, cfg, turn, call.signal);
        outcomes[p.index] = outcome;
        recordFinished(state, calls[p.index]!.id, outcome);
      } finally {
        live.delete(call);
      }
      await cfg.onFinished?.();
    });
  } catch (err) {
    throw signal.aborted ? cancelled(cfg, signal) : err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw cancelled(cfg, signal);
}

function cancelled(cfg: TurnConfig, signal: AbortSignal): TroupeError {
  return createError('TROUPE_ERR_CANCELLED', `${cfg.caller.actor}: the run was cancelled`, { cause: signal.reason });
}

/** Decides what can be decided without a worker. */
function screen(call: LlmToolCall, state: RunState, cfg: TurnConfig): { outcome?: CallOutcome; tool?: LoopTool; input: unknown } {
  const args = parseArguments(call.arguments);
  if (call.name === RETRIEVE_TOOL && cfg.context !== undefined) {
    if (!args.ok)
      return { outcome: refused('TROUPE_ERR_INVALID_INPUT', `arguments are not valid JSON: ${args.message}`), input: call.arguments };
    const parsed = check(retrieveInput, args.value);
    if (!parsed.ok) return { outcome: refused('TROUPE_ERR_INVALID_INPUT', parsed.message), input: args.value };
    const id = (parsed.value as { id: string }).id;
    const text = Object.hasOwn(state.scratchpad, id) ? state.scratchpad[id] : undefined;
    return {
      outcome:
        text === undefined
          ? refused('TROUPE_ERR_NOT_FOUND', `no result is stored as ${JSON.stringify(id)}`)
          : { ok: true, content: text, usage: emptyUsage() },
      input: parsed.value,
    };
  }
  const tool = cfg.tools.get(call.name);
  if (tool === undefined)
    return {
      outcome: refused('TROUPE_ERR_NOT_FOUND', `there is no tool named ${JSON.stringify(call.name.slice(0, 80))}`),
      input: args.ok ? args.value : call.arguments,
    };
  if (cfg.guardrails.allow !== undefined && !cfg.guardrails.allow.has(tool.name)) {
    return {
      outcome: refused('TROUPE_ERR_NOT_ALLOWED', `${tool.name} is not among the workers this run may call`),
      input: args.ok ? args.value : call.arguments,
    };
  }
  if (!args.ok)
    return { outcome: refused('TROUPE_ERR_INVALID_INPUT', `arguments are not valid JSON: ${args.message}`), input: call.arguments };
  const parsed = check(tool.input, args.value);
  if (!parsed.ok)
    return {
      outcome: refused('TROUPE_ERR_INVALID_INPUT', `arguments do not match ${tool.name}'s input schema: ${parsed.message}`),
      input: args.value,
    };
  return { tool, input: parsed.value };
}

/**
 * Deepest nesting of arguments a call may have. JSON.parse takes any depth, but JSON.stringify,
 * structuredClone and msgpack recurse: arguments nested 100 000 deep would parse, then break the
 * decision record, the checkpoint and the wire.
 */
const MAX_ARGUMENT_DEPTH = 64;

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text === '' ? '{}' : text);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  if (nestedDeeperThan(value, MAX_ARGUMENT_DEPTH)) return { ok: false, message: `arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels` };
  return { ok: true, value };
}

/** True when `value` nests deeper than `max` levels (without recursion, whatever its depth). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function parseLoose(text: string): unknown {
  const r = parseArguments(text);
  return r.ok ? r.value : text;
}

/**
 * Runs `work` over `items`, at most `limit` at once. Once `turn` aborts no further item starts; the
 * first failure aborts `turn` (its siblings are cancelled) and is thrown once every runner has
 * settled, so nothing the turn started is still running when it fails.
 */
async function pool<T>(items: readonly T[], limit: number, turn: AbortController, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !turn.signal.aborted) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
        turn.abort(error);
      }
    }
  });
  await Promise.all(runners);
  if (failure !== undefined) throw failure.error;
  if (turn.signal.aborted) throw turn.signal.reason;
}
