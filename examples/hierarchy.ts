/**
 * The hierarchical pattern of seed 002: a project lead delegates to a backend and a frontend
 * sub-coordinator, each with two workers. Each level sees the one below as plain tools; usage sums
 * over the whole tree. `npx tsx examples/hierarchy.ts` (offline), or with `OPENAI_BASE_URL` set
 * (and `OPENAI_API_KEY`, `OPENAI_MODEL`) against a real model.
 */
import { type CoordinatorResult, createSystem, defineAgent, defineCoordinator, type LlmClient } from '../src/index.js';
import type { ScriptedRequest } from '../src/testing/index.js';
import { exampleModels, toolResultCount } from './coordinators/models.js';

const FEATURE = 'Add a "last login" column to the users admin page, backed by the API.';

/** A sub-coordinator's offline script: dispatch both workers at once, then report. */
const teamScript = (a: string, b: string, report: string) => (request: ScriptedRequest) =>
  toolResultCount(request) === 0
    ? {
        text: `Splitting the work between ${a} and ${b}.`,
        toolCalls: [
          { name: a, arguments: { task: `${a}: ${request.lastUserMessage}` } },
          { name: b, arguments: { task: `${b}: ${request.lastUserMessage}` } },
        ],
      }
    : report;

const scripts = {
  lead: (request: ScriptedRequest) =>
    toolResultCount(request) === 0
      ? {
          text: 'Backend and frontend can proceed in parallel.',
          toolCalls: [
            { name: 'backend_team', arguments: { task: 'Expose last_login_at on GET /api/users, with a migration.' } },
            { name: 'frontend_team', arguments: { task: 'Show a "Last login" column on the users admin page.' } },
          ],
        }
      : 'Done: the API exposes last_login_at (migration 0042) and the admin page shows it; tests pass.',
  backend: teamScript('api_worker', 'db_worker', 'Backend ready: migration 0042 adds last_login_at; GET /api/users returns it.'),
  frontend: teamScript('ui_worker', 'test_worker', 'Frontend ready: the column renders; the e2e test covers it.'),
  api: ['GET /api/users now selects and returns last_login_at.'],
  db: ['Migration 0042 adds users.last_login_at (timestamp, nullable).'],
  ui: ['UsersTable renders a "Last login" column, formatted relative to now.'],
  tests: ['Added e2e test: admin sees the last login of a seeded user.'],
};

function worker(name: string, description: string, llm: LlmClient, instructions: string) {
  return defineAgent({ name, description, llm, instructions, tools: [] });
}

/** Runs the example; resolves to the lead's result. */
export async function main(): Promise<CoordinatorResult> {
  const models = await exampleModels(scripts);
  const m = models.client;
  const backend = defineCoordinator({
    name: 'backend_team',
    description: 'Handles all backend work: API endpoints, database changes, and server-side logic.',
    llm: m('backend'),
    instructions: 'You are the backend team lead. Break backend tasks into API work and database work. Keep them consistent.',
    workers: [
      worker('api_worker', 'Implements and modifies API endpoints.', m('api'), 'You are a backend API developer.'),
      worker('db_worker', 'Handles database schema changes and migrations.', m('db'), 'You are a database engineer.'),
    ],
  });
  const frontend = defineCoordinator({
    name: 'frontend_team',
    description: 'Handles all frontend work: UI components, pages, and frontend integration tests.',
    llm: m('frontend'),
    instructions: 'You are the frontend team lead. Break frontend tasks into UI implementation and testing.',
    workers: [
      worker('ui_worker', 'Implements frontend UI components and pages.', m('ui'), 'You are a frontend developer.'),
      worker('test_worker', 'Writes and runs integration and end-to-end tests.', m('tests'), 'You are a QA engineer.'),
    ],
  });
  const lead = defineCoordinator({
    name: 'lead',
    description: 'Project lead.',
    llm: m('lead'),
    instructions: 'You are the project lead. Delegate backend and frontend work to the teams; do not do it yourself.',
    workers: [backend, frontend],
    limits: { maxIterations: 4, maxDepth: 2 },
  });
  const system = createSystem({ node: 'hierarchy' });
  try {
    return await system
      .spawn(lead, { name: 'lead' })
      .ask<CoordinatorResult>({ type: 'task', input: { task: FEATURE } }, { timeoutMs: 600_000 });
  } finally {
    await system.shutdown();
    await models.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((run) => {
    console.log(run.output.answer);
    console.log(
      `stop: ${run.stopReason}; tokens: ${run.usage.inputTokens} in, ${run.usage.outputTokens} out over ${run.usage.calls} model calls`,
    );
    for (const [model, u] of Object.entries(run.usage.byModel)) console.log(`  ${model}: ${u.calls} calls`);
  });
}
