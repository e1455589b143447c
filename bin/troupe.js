#!/usr/bin/env node
// Runs the built CLI (dist/) when the package was built, else the TypeScript source through tsx
// (a development checkout).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const target = existsSync(built) ? [fileURLToPath(built)] : ['--import', 'tsx', source];
const result = spawnSync(process.execPath, [...target, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
