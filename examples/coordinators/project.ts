/**
 * A tiny in-memory project for the code-change example, and the function tools its agents use on
 * it: list, read, write, search, run the tests. Writes stay in memory.
 */
import { z } from 'zod';
import { type FunctionTool, tool } from '../../src/index.js';

/** The project's files, by path. */
export type Project = Map<string, string>;

/** An Express-style API without authentication. */
export function sampleProject(): Project {
  return new Map([
    ['package.json', '{ "name": "api", "scripts": { "test": "vitest run" } }'],
    ['src/app.ts', "import { users } from './routes/users.js';\nexport const routes = { '/api/users': users };\n"],
    ['src/routes/users.ts', 'export async function users(req, res) {\n  res.json(await db.users.findAll());\n}\n'],
    ['src/db.ts', 'export const db = { users: { findAll: async () => [] } };\n'],
  ]);
}

/** The tools of the example's agents, over `project`. */
export function projectTools(project: Project): Record<'list' | 'read' | 'write' | 'search' | 'test', FunctionTool> {
  return {
    list: tool({
      name: 'list_directory',
      description: 'Lists the files of the project under a folder.',
      input: z.object({ dir: z.string() }),
      run: ({ dir }) => [...project.keys()].filter((p) => p.startsWith(dir === '.' ? '' : dir)).join('\n'),
    }),
    read: tool({
      name: 'read_file',
      description: 'Reads a file of the project.',
      input: z.object({ path: z.string() }),
      run: ({ path }) => project.get(path) ?? `no such file: ${path}`,
    }),
    write: tool({
      name: 'write_file',
      description: 'Writes (creates or replaces) a file of the project.',
      input: z.object({ path: z.string(), content: z.string() }),
      run: ({ path, content }) => {
        project.set(path, content);
        return `wrote ${path} (${content.length} chars)`;
      },
    }),
    search: tool({
      name: 'code_search',
      description: 'Finds the lines of the project that contain a string.',
      input: z.object({ query: z.string() }),
      run: ({ query }) =>
        [...project]
          .flatMap(([path, text]) => text.split('\n').map((line, i) => ({ path, line, n: i + 1 })))
          .filter((l) => l.line.includes(query))
          .map((l) => `${l.path}:${l.n}: ${l.line.trim()}`)
          .join('\n') || 'no match',
    }),
    test: tool({
      name: 'run_tests',
      description: 'Runs the test suite and reports passes and failures.',
      input: z.object({}),
      run: () => {
        const checks: [string, boolean][] = [
          ['jwt middleware exists', project.has('src/auth/jwt.ts')],
          ['users route requires a token', project.get('src/routes/users.ts')?.includes('requireJwt') ?? false],
          ['auth tests exist', project.has('test/auth.test.ts')],
        ];
        const failed = checks.filter(([, ok]) => !ok).map(([name]) => name);
        return failed.length === 0 ? `${checks.length} passed` : `${checks.length - failed.length} passed, failed: ${failed.join(', ')}`;
      },
    }),
  };
}
