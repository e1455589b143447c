/**
 * Where the demo's modules are: the TypeScript sources (run through tsx) or the built JavaScript in
 * dist/, whichever this file was loaded from.
 */
import { fileURLToPath } from 'node:url';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The CLI's entry, which forked worker nodes run. */
export const CLI_MAIN = fileURLToPath(new URL(`../main${ext}`, import.meta.url));
/** The module hosting the demo's `auditor` (`troupe node --logic demo` names it). */
export const DEMO_WORKERS = fileURLToPath(new URL(`./workers${ext}`, import.meta.url));
/** troupe's own package: what the demo audits by default. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
