/**
 * An LLM council: N members answer independently, each reviews the others' answers anonymously
 * (relabelled A, B, C… in an order of its own, never seeing its own), each revises its answer given
 * the reviews of it, and a chair synthesizes: 3N + 1 calls.
 * @module
 */
import type { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import {
  asTroupeError,
  describeError,
  type HeldWorker,
  outcomeOf,
  PatternScope,
  type ScopeOptions,
  validateOptions,
  validateSource,
  validateTimeout,
  type WorkerSource,
} from './scope.js';
import { addUsage, emptyUsage, runTask, type Usage } from './worker-protocol.js';

/**
 * An answer as a reviewer or the chair sees it: a label, never the member.
 *
 * @example
 * ```ts
 * const seen: LabelledAnswer<string> = { label: 'B', answer: 'Paris' }; // never says whose it is
 * ```
 */
export interface LabelledAnswer<TAnswer = unknown> {
  label: string;
  answer: TAnswer;
}

/**
 * What members and the chair receive as task input, by phase.
 *
 * @example
 * ```ts
 * const member = taskWorker((task: CouncilTask<string, string>) =>
 *   task.phase === 'answer' ? answer(task.question) : task.phase === 'review' ? critique(task.answers) : revise(task));
 * ```
 */
export type CouncilTask<TQuestion = unknown, TAnswer = unknown> =
  | { phase: 'answer'; question: TQuestion }
  | { phase: 'review'; question: TQuestion; answers: LabelledAnswer<TAnswer>[] }
  | { phase: 'revise'; question: TQuestion; answer: TAnswer; reviews: unknown[] }
  | { phase: 'synthesize'; question: TQuestion; answers: LabelledAnswer<TAnswer>[] };

/**
 * Options of {@link council}.
 *
 * @example
 * ```ts
 * const options: CouncilOptions<string> = { members: [gpt, claude, llama], chair: gpt, question: 'Is P = NP?', seed: 7 };
 * ```
 */
export interface CouncilOptions<TQuestion> extends ScopeOptions {
  /** At least two peers: logic (one worker spawned per member), `{ node, logic }` or refs. */
  members: readonly WorkerSource[];
  question: TQuestion;
  chair: WorkerSource;
  /** How long each call may take, ms. Default: the system's ask timeout. */
  timeoutMs?: number;
  /** Seeds the relabelling order (default: random), for reproducible runs. */
  seed?: number;
}

/**
 * What a {@link council} resolves to.
 *
 * @example
 * ```ts
 * const { answer, revised, calls }: CouncilResult<string, string> = await council(system, options);
 * console.log(calls); // 3N + 1
 * ```
 */
export interface CouncilResult<TAnswer = unknown, TSynthesis = unknown> {
  /** The chair's synthesis. */
  answer: TSynthesis;
  /** First answers, by member index. */
  answers: TAnswer[];
  /** Each member's review output, by member index. */
  reviews: unknown[];
  /** Revised answers, by member index. */
  revised: TAnswer[];
  usage: Usage;
  /** Calls made: 3N + 1. */
  calls: number;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The label of the answer at `index`: A…Z, then AA, AB… (as spreadsheet columns), so a council of
 * any size gives every answer a distinct label.
 * @internal
 */
export function labelOf(index: number): string {
  let label = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) label = LETTERS[(n - 1) % 26] + label;
  return label;
}

/**
 * Runs a council. A review may be a string (it applies to every answer the member reviewed) or an
 * object keyed by label (`{ A: '…', C: '…' }`), routed to the member behind each label. Any member
 * failure fails the council.
 *
 * @example
 * ```ts
 * const { answer, calls } = await council(system, { members: [gpt, claude, llama], chair: gpt, question: 'Is P = NP?' });
 * // calls === 10
 * ```
 */
export async function council<TQuestion = unknown, TAnswer = unknown, TSynthesis = unknown>(
  system: ActorSystem,
  options: CouncilOptions<TQuestion>,
): Promise<CouncilResult<TAnswer, TSynthesis>> {
  validateOptions(options, 'council');
  const { members, question, chair, timeoutMs } = options;
  if (!Array.isArray(members) || members.length < 2) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'council needs at least 2 members');
  }
  for (let i = 0; i < members.length; i++) validateSource(members[i], `council member ${i}`);
  validateSource(chair, 'council chair');
  validateTimeout(timeoutMs, 'council timeoutMs');
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `council seed must be a whole number, got ${String(options.seed)}`);
  }
  const random = options.seed === undefined ? Math.random : mulberry32(options.seed);
  const n = members.length;
  const scope = new PatternScope(system, 'council', options);
  const usage = emptyUsage();
  let calls = 0;
  const held: HeldWorker[] = [];

  const ask = async <T>(worker: HeldWorker, input: CouncilTask<TQuestion, TAnswer>, taskId: string): Promise<T> => {
    scope.emit('task-start', { taskId, worker: worker.ref.address });
    try {
      const result = await runTask<T>(worker.ref, input, { timeoutMs, signal: scope.signal, taskId: `${scope.run}.${taskId}` });
      calls++;
      addUsage(usage, result.usage);
      scope.emit('task-done', { taskId, worker: worker.ref.address });
      return result.output;
    } catch (err) {
      scope.throwIfAborted();
      const error = asTroupeError(err, `council ${taskId}`);
      scope.emit('task-failed', { taskId, worker: worker.ref.address, detail: describeError(error) });
      throw error;
    }
  };

  scope.emit('start', { detail: `${n} members` });
  try {
    for (let i = 0; i < n; i++) held.push(await scope.hold(members[i]));
    const answers = await Promise.all(held.map((w, i) => ask<TAnswer>(w, { phase: 'answer', question }, `answer.${i + 1}`)));

    // Each reviewer gets the others' answers in an order of its own, labelled A, B, C…
    const views = held.map((_, i) => shuffle(others(n, i), random));
    const reviews = await Promise.all(
      held.map((w, i) =>
        ask<unknown>(
          w,
          { phase: 'review', question, answers: views[i].map((j, at) => ({ label: labelOf(at), answer: answers[j] })) },
          `review.${i + 1}`,
        ),
      ),
    );
    const reviewsOf = routeReviews(views, reviews, n);

    const revised = await Promise.all(
      held.map((w, i) => ask<TAnswer>(w, { phase: 'revise', question, answer: answers[i], reviews: reviewsOf[i] }, `revise.${i + 1}`)),
    );
    const order = shuffle(
      Array.from({ length: n }, (_, i) => i),
      random,
    );
    const chairWorker = await scope.hold(chair);
    held.push(chairWorker);
    const answer = await ask<TSynthesis>(
      chairWorker,
      { phase: 'synthesize', question, answers: order.map((j, at) => ({ label: labelOf(at), answer: revised[j] })) },
      'synthesize',
    );
    await scope.close('done');
    return { answer, answers, reviews, revised, usage, calls };
  } catch (err) {
    await scope.close(outcomeOf(err), describeError(err));
    throw err;
  }
}

/**
 * The reviews of each member's answer, by member index: reviewer `i` saw `views[i]` (member indexes,
 * labelled in that order); an object review goes, label by label, to the member behind each label,
 * any other review to every member it saw.
 */
function routeReviews(views: number[][], reviews: unknown[], n: number): unknown[][] {
  const reviewsOf: unknown[][] = Array.from({ length: n }, () => []);
  views.forEach((view, i) => {
    const review = reviews[i];
    const byLabel = typeof review === 'object' && review !== null && !Array.isArray(review);
    view.forEach((j, at) => {
      const label = labelOf(at);
      if (!byLabel) reviewsOf[j].push(review);
      else if (Object.hasOwn(review, label)) reviewsOf[j].push((review as Record<string, unknown>)[label]);
    });
  });
  return reviewsOf;
}

function others(n: number, i: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) if (j !== i) out.push(j);
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A small seeded PRNG (mulberry32), so a seeded council relabels the same way every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
