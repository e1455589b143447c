/** `tool`: a plain function an LLM agent may call. */
import type { z } from 'zod';
import { createError, TroupeError } from '../errors.js';
import type { TimerHandle } from '../util/clock.js';
import { checkToolName, isZodType, jsonSchemaOf } from './describe.js';
import type { LoopTool } from './loop-tool.js';

/**
 * What a tool's `run` is given besides its input.
 *
 * @example
 * ```ts
 * const fetchPage = tool({
 *   name: 'fetch_page',
 *   description: 'Fetches a web page.',
 *   input: z.object({ url: z.string() }),
 *   run: async ({ url }, { signal }: ToolRunContext) => (await fetch(url, { signal })).text(),
 * });
 * ```
 */
export interface ToolRunContext {
  /** Aborted when the agent's run is cancelled or the call times out. */
  signal: AbortSignal;
}

/**
 * Options of {@link tool}.
 *
 * @example
 * ```ts
 * const options: ToolOptions<{ a: number; b: number }, number> = {
 *   name: 'add',
 *   description: 'Adds two numbers.',
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   run: ({ a, b }) => a + b,
 * };
 * const add = tool(options);
 * ```
 */
export interface ToolOptions<TInput, TOutput> {
  /** 1-64 letters, digits, `_` or `-`. */
  name: string;
  description: string;
  /** A `z.object`: the model's arguments are validated against it before `run` sees them. */
  input: z.ZodType<TInput>;
  /** Validates what `run` returns, when given. */
  output?: z.ZodType<TOutput>;
  run(input: TInput, context: ToolRunContext): TOutput | Promise<TOutput>;
}

/**
 * A function tool made by {@link tool}.
 *
 * @example
 * ```ts
 * const add: FunctionTool<{ a: number; b: number }, number> = tool({
 *   name: 'add',
 *   description: 'Adds two numbers.',
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   run: ({ a, b }) => a + b,
 * });
 * const mathAgent = defineAgent({ name: 'math', description: 'Does sums.', llm, instructions: 'Use add.', tools: [add] });
 * ```
 */
export interface FunctionTool<TInput = unknown, TOutput = unknown> {
  readonly kind: 'tool';
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<TInput>;
  readonly output: z.ZodType<TOutput> | undefined;
  readonly parameters: Record<string, unknown>;
  run(input: TInput, context: ToolRunContext): TOutput | Promise<TOutput>;
}

/**
 * Defines a function tool for {@link defineAgent}. Arguments the model writes are parsed and
 * validated against `input`; a call that fails validation never runs. A throwing `run` is retried
 * up to the agent's `maxRetries`, then reported to the model.
 *
 * @example
 * ```ts
 * const readFile = tool({
 *   name: 'read_file',
 *   description: 'Reads a UTF-8 file of the project.',
 *   input: z.object({ path: z.string() }),
 *   run: ({ path }, { signal }) => fs.readFile(path, { encoding: 'utf8', signal }),
 * });
 * ```
 */
export function tool<TInput, TOutput>(options: ToolOptions<TInput, TOutput>): FunctionTool<TInput, TOutput> {
  if (typeof options !== 'object' || options === null) throw createError('TROUPE_ERR_INVALID_OPTION', 'tool needs an options object');
  const name = checkToolName(options.name, 'tool');
  if (typeof options.description !== 'string' || options.description.trim() === '') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `tool ${name} needs a description`);
  }
  if (!isZodType(options.input)) throw createError('TROUPE_ERR_INVALID_OPTION', `tool ${name}: input must be a zod schema`);
  if (options.output !== undefined && !isZodType(options.output)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `tool ${name}: output must be a zod schema`);
  }
  if (typeof options.run !== 'function') throw createError('TROUPE_ERR_INVALID_OPTION', `tool ${name} needs a run function`);
  return {
    kind: 'tool',
    name,
    description: options.description,
    input: options.input,
    output: options.output,
    parameters: jsonSchemaOf(options.input, 'input'),
    run: options.run,
  };
}

/** A function tool as the loop runs it: `run` raced against the call's timeout and signal. @internal */
export function functionLoopTool(t: FunctionTool): LoopTool {
  return {
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    input: t.input,
    output: t.output,
    retryable: (err) => !TroupeError.is(err, 'TROUPE_ERR_CANCELLED'),
    execute: (input, { signal, timeoutMs, clock }) => {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let timer: TimerHandle | undefined;
      return new Promise<{ output: unknown }>((resolve, reject) => {
        timer = clock.setTimeout(() => {
          const e = createError('TROUPE_ERR_TIMEOUT', `tool ${t.name} took longer than ${timeoutMs} ms`);
          controller.abort(e);
          reject(e);
        }, timeoutMs);
        controller.signal.addEventListener('abort', () => reject(createError('TROUPE_ERR_CANCELLED', `tool ${t.name} was cancelled`)), {
          once: true,
        });
        Promise.resolve()
          .then(() => t.run(input, { signal: controller.signal }))
          .then((output) => resolve({ output }), reject);
      }).finally(() => {
        if (timer !== undefined) clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
    },
  };
}
