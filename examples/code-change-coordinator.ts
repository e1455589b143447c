/**
 * Seed 002's canonical coordinator: "add JWT authentication to /api/users" across several files.
 * The coordinator does not know in advance which files change; it asks the search agent about the
 * project, dispatches the code agent twice in parallel (middleware and endpoint), then for tests,
 * then has the review agent check the change, and synthesizes. Each agent is an LLM worker with
 * function tools over an in-memory project. `npx tsx examples/code-change-coordinator.ts` runs
 * offline against a scripted model; with `OPENAI_BASE_URL` set it runs against a real one.
 */
import { type CoordinatorResult, createSystem, defineAgent, defineCoordinator } from '../src/index.js';
import type { ScriptedReply, ScriptedRequest } from '../src/testing/index.js';
import { exampleModels, toolResultCount } from './coordinators/models.js';
import { projectTools, sampleProject } from './coordinators/project.js';

const TASK = 'Add JWT-based authentication to the /api/users endpoint. Tokens should expire after 1 hour. Include tests.';

const COORDINATOR_PROMPT = `You are a project coordinator. Your job is to accomplish the user's goal by delegating work to your specialist workers.
Rules:
1. Break the task into the smallest meaningful sub-tasks.
2. Assign each sub-task to the most appropriate worker; call independent workers in parallel.
3. After receiving results, check if the overall goal is met; if not, delegate more work.
4. Do NOT do the work yourself. Your job is to coordinate, not to execute.
5. In your final answer, list each sub-task and its status.`;

/** The files each code task writes, offline. */
const CODE_FILES: [RegExp, string, string][] = [
  [/middleware/i, 'src/auth/jwt.ts', 'export function requireJwt(req, res, next) { /* verify; exp = 1 h */ next(); }\n'],
  [
    /endpoint/i,
    'src/routes/users.ts',
    "import { requireJwt } from '../auth/jwt.js';\nexport const users = [requireJwt, async (req, res) => res.json(await db.users.findAll())];\n",
  ],
  [
    /tests/i,
    'test/auth.test.ts',
    "it('rejects a request without a token', async () => { /* … */ });\nit('rejects an expired token', async () => { /* … */ });\n",
  ],
];

/** Offline: the code agent writes its file, runs the tests, reports. */
function codeAgentScript(request: ScriptedRequest): ScriptedReply {
  const task = request.lastUserMessage ?? '';
  const [, path, content] = CODE_FILES.find(([re]) => re.test(task)) ?? CODE_FILES[0]!;
  const step = toolResultCount(request);
  if (step === 0) return { toolCalls: [{ name: 'write_file', arguments: { path, content } }] };
  if (step === 1) return { toolCalls: [{ name: 'run_tests', arguments: {} }] };
  return `Wrote ${path}; tests: ${String(request.body.messages.at(-1)?.content)}.`;
}

/** Offline: the coordinator's plan, one step per turn. */
const coordinatorScript = [
  {
    text: 'First, understand the current code.',
    toolCalls: [{ name: 'search_agent', arguments: { task: 'Find the /api/users endpoint and any existing auth code.' } }],
  },
  {
    text: 'No auth exists yet. Middleware and endpoint change are independent: in parallel.',
    toolCalls: [
      { name: 'code_agent', arguments: { task: 'Implement JWT middleware requireJwt in src/auth/jwt.ts; tokens expire after 1 hour.' } },
      { name: 'code_agent', arguments: { task: 'Make the /api/users endpoint in src/routes/users.ts use requireJwt.' } },
    ],
  },
  {
    text: 'Now the tests.',
    toolCalls: [{ name: 'code_agent', arguments: { task: 'Add tests for missing and expired tokens in test/auth.test.ts.' } }],
  },
  {
    text: 'Review everything.',
    toolCalls: [{ name: 'review_agent', arguments: { task: 'Review src/auth/jwt.ts, src/routes/users.ts and test/auth.test.ts.' } }],
  },
  'JWT auth is in place. Sub-tasks: (1) research — done; (2) middleware src/auth/jwt.ts — done; (3) /api/users uses requireJwt — done; (4) tests — done, 3 passed; (5) review — no blocking issues.',
];

const scripts = {
  coordinator: coordinatorScript,
  code: codeAgentScript,
  search: [
    { toolCalls: [{ name: 'code_search', arguments: { query: 'users' } }] },
    'The endpoint is src/routes/users.ts, registered in src/app.ts; there is no auth code yet.',
  ],
  review: [
    {
      toolCalls: ['src/auth/jwt.ts', 'src/routes/users.ts', 'test/auth.test.ts'].map((path) => ({
        name: 'read_file',
        arguments: { path },
      })),
    },
    'No blocking issues. Suggestion: read the signing secret from the environment.',
  ],
};

/** Runs the example; resolves to the coordinator's result and the files it changed. */
export async function main(): Promise<{ run: CoordinatorResult; changed: string[] }> {
  const models = await exampleModels(scripts);
  const project = sampleProject();
  const before = new Map(project);
  const tools = projectTools(project);
  const codeAgent = defineAgent({
    name: 'code_agent',
    description: 'Writes, modifies, and debugs code. Can read files, write files, and run tests.',
    llm: models.client('code'),
    instructions:
      'You are a software engineer. Given a specific coding task, implement it. Write clean, tested code. If tests fail, fix the code until they pass.',
    tools: [tools.read, tools.write, tools.test, tools.list],
    limits: { maxIterations: 6 },
    concurrency: 4,
  });
  const searchAgent = defineAgent({
    name: 'search_agent',
    description: 'Searches the codebase for information relevant to a question. Cannot modify anything.',
    llm: models.client('search'),
    instructions:
      'You are a research assistant. Given a question, find the answer using your search tools. Return concise, factual answers with sources.',
    tools: [tools.search, tools.list, tools.read],
  });
  const reviewAgent = defineAgent({
    name: 'review_agent',
    description: 'Reviews code for correctness, security, and style. Returns specific issues and suggestions. Cannot modify anything.',
    llm: models.client('review'),
    instructions:
      'You are a code reviewer. Review the code for bugs, security issues, performance problems, and style violations. Return specific, actionable findings.',
    tools: [tools.read],
  });
  const coordinator = defineCoordinator({
    name: 'coordinator',
    description: 'Plans and delegates multi-file code changes.',
    llm: models.client('coordinator'),
    instructions: COORDINATOR_PROMPT,
    workers: [codeAgent, searchAgent, reviewAgent],
    limits: { maxIterations: 8, maxWorkerCalls: 12, maxRetries: 2, workerTimeoutMs: 120_000, maxConcurrency: 4 },
    guardrails: { allow: ['code_agent', 'search_agent', 'review_agent'] },
  });
  const system = createSystem({ node: 'code-change' });
  try {
    const run = await system
      .spawn(coordinator, { name: 'coordinator' })
      .ask<CoordinatorResult>({ type: 'task', input: { task: TASK } }, { timeoutMs: 600_000 });
    const changed = [...project.keys()].filter((p) => before.get(p) !== project.get(p)).sort();
    return { run, changed };
  } finally {
    await system.shutdown();
    await models.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(({ run, changed }) => {
    for (const d of run.decisions) console.log(`turn ${d.iteration}: ${d.thought ?? ''} ${d.calls.map((c) => c.worker).join(', ')}`);
    console.log(`\n${run.output.answer}\n\nchanged: ${changed.join(', ')}`);
    console.log(`stop: ${run.stopReason}; ${run.usage.calls} model calls, ${run.usage.inputTokens + run.usage.outputTokens} tokens`);
  });
}
