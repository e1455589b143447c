/**
 * Worker descriptors: the JSON Schemas a worker publishes through `describe`, and reading a
 * descriptor another node sent (untrusted) back into something that validates calls.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import type { WorkerDescriptor } from '../patterns/worker-protocol.js';

/** Names the model can call: what OpenAI-compatible servers accept as a function name. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The default input of a worker: `{ task: string }`. */
export const taskInput = z.object({ task: z.string().describe('The sub-task to assign to this worker.') });

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `name` can name a tool. */
export function checkToolName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} name must be 1-64 letters, digits, '_' or '-', got ${JSON.stringify(name)}`);
  }
  return name;
}

/** True when `value` is a zod schema. */
export function isZodType(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

/**
 * A zod schema as a plain JSON Schema object: no `$schema`, and for inputs an object with
 * top-level `properties` (what a model's function parameters must be).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch (err) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `cannot turn the ${io} schema into JSON Schema: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { $schema: _drop, ...plain } = json;
  if (io === 'input' && (plain.type !== 'object' || typeof plain.properties !== 'object' || '$ref' in plain)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'a worker input must be a z.object(…): a model calls tools with an object of arguments');
  }
  return plain;
}

/**
 * Reads a descriptor from a worker's reply (untrusted) and builds validators from its schemas.
 * Throws `TROUPE_ERR_INVALID_OUTPUT` when the reply is not a usable descriptor.
 */
export function readDescriptor(reply: unknown, from: string): { descriptor: WorkerDescriptor; input: z.ZodType; output?: z.ZodType } {
  const shape = z.object({
    type: z.literal('descriptor'),
    name: z.string().regex(TOOL_NAME),
    description: z.string().max(10_000),
    inputSchema: z.record(z.string(), z.unknown()),
    outputSchema: z.record(z.string(), z.unknown()).optional(),
  });
  const parsed = shape.safeParse(reply);
  if (!parsed.success) {
    throw createError(
      'TROUPE_ERR_INVALID_OUTPUT',
      `${from} answered describe with an invalid descriptor: ${z.prettifyError(parsed.error)}`,
    );
  }
  const d = parsed.data;
  if (d.inputSchema.type !== 'object' || typeof d.inputSchema.properties !== 'object' || '$ref' in d.inputSchema) {
    throw createError('TROUPE_ERR_INVALID_OUTPUT', `${from}'s input schema is not a plain object schema with top-level properties`);
  }
  const descriptor: WorkerDescriptor = { type: 'descriptor', name: d.name, description: d.description, inputSchema: d.inputSchema };
  if (d.outputSchema !== undefined) descriptor.outputSchema = d.outputSchema;
  const output = d.outputSchema === undefined ? undefined : schemaFromJson(d.outputSchema, z.unknown());
  return { descriptor, input: schemaFromJson(d.inputSchema, z.record(z.string(), z.unknown())), output };
}

/** A validator for a JSON Schema from the wire; `fallback` when zod cannot read it. */
function schemaFromJson(json: Record<string, unknown>, fallback: z.ZodType): z.ZodType {
  try {
    return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return fallback;
  }
}

/** A zod error in one line for a model or a log. */
export function describeZodError(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n+/g, '; ');
}
