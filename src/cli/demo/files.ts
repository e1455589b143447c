/**
 * The files `troupe demo` audits: source and docs under a directory, skipping dependencies, build
 * output and hidden folders. Reading fails loudly: an unreadable file is an error, not a gap.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { CliError } from '../cli-error.js';

/** One file to audit: its path relative to the audited directory, and its text. */
export interface SourceFile {
  path: string;
  content: string;
}

const EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.md']);
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', 'test-results']);
/** Larger files are not sent to workers (they would be generated or vendored code). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** A bound on the job's size, so a mistaken `--dir /` ends with an error instead of hours of work. */
export const MAX_FILES = 20_000;

/** Lists and reads the files to audit, sorted by path. Throws a one-line `CliError` on bad input. */
export async function collectFiles(dir: string): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw new CliError(`--dir ${dir} does not exist`);
  if (!info.isDirectory()) throw new CliError(`--dir ${dir} is not a directory`);
  const paths: string[] = [];
  await walk(dir, paths);
  if (paths.length === 0) throw new CliError(`--dir ${dir} holds no source files (${[...EXTENSIONS].join(' ')})`);
  paths.sort();
  const files: SourceFile[] = [];
  for (const path of paths) {
    const rel = relative(dir, path);
    const size = await stat(path).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${rel}: ${err.code ?? err.message}`);
      },
    );
    if (size > MAX_FILE_BYTES) continue;
    const content = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${rel}: ${err.code ?? err.message}`);
    });
    files.push({ path: rel, content });
  }
  return files;
}

async function walk(dir: string, into: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read directory ${dir}: ${err.code ?? err.message}`);
  });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(path, into);
    } else if (EXTENSIONS.has(extname(entry.name))) {
      // a symlink counts as a file to read: a dangling one is reported, not skipped
      if (entry.isFile() || (entry.isSymbolicLink() && !(await lstat(path)).isDirectory())) into.push(path);
    }
    if (into.length > MAX_FILES) throw new CliError(`--dir ${dir} holds more than ${MAX_FILES} source files; point it at a project`);
  }
}
