import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AskError,
  DeliveryError,
  errorClassOf,
  InvalidArgumentError,
  isErrorCode,
  StreamError,
  TransportError,
  TroupeError,
} from '../src/errors.js';

const root = join(import.meta.dirname, '..', 'src');

/** Every `.ts` file under src/, as a path relative to src/ with `/` separators. */
function sources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** The file's code with comment lines (TSDoc examples, notes) blanked. */
function code(file: string): string {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .map((line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? '' : line))
    .join('\n');
}

const classes: Record<string, typeof TroupeError> = {
  TroupeError,
  InvalidArgumentError,
  AskError,
  DeliveryError,
  TransportError,
  StreamError,
};

/**
 * Files that may still build an error class by hand, with the reason. `src/errors.ts` defines the
 * classes and `createError` itself. `QuorumError` is not scanned: it carries the replies that did
 * arrive, so `gather` builds it with them.
 */
const allowed: Record<string, string> = {
  'errors.ts': 'defines the classes and createError',
};

/** `new <error class>(`: an error whose class was chosen by hand, not by its code. */
const HAND_BUILT = /\bnew (TroupeError|TransportError|AskError|DeliveryError|StreamError|InvalidArgumentError)\(/g;

describe('errors are built from their code', () => {
  it('no module outside src/errors.ts constructs an error class by hand: createError(code, …) picks the class', () => {
    const found: string[] = [];
    for (const file of sources()) {
      if (file in allowed) continue;
      const text = code(file);
      for (const m of text.matchAll(HAND_BUILT)) {
        const line = text.slice(0, m.index).split('\n').length;
        found.push(`src/${file}:${line}: new ${m[1]}(…); use createError(code, message, { cause })`);
      }
    }
    expect(found).toEqual([]);
  });

  it('a subclass of an error class (FrameRefused) is raised only with codes the table gives its base class', () => {
    const wrong: string[] = [];
    let subclasses = 0;
    for (const file of sources()) {
      if (file === 'errors.ts') continue;
      const text = code(file);
      for (const [, sub, base] of text.matchAll(
        /class (\w+) extends (TroupeError|TransportError|AskError|DeliveryError|StreamError|InvalidArgumentError)\b/g,
      )) {
        subclasses++;
        const cls = classes[base as string];
        for (const [, literal] of text.matchAll(new RegExp(`new ${sub}\\(\\s*'(TROUPE_ERR_[A-Z_]+)'`, 'g'))) {
          if (!isErrorCode(literal)) wrong.push(`src/${file}: unknown code ${literal}`);
          else if (errorClassOf(literal) !== cls)
            wrong.push(`src/${file}: ${sub} (a ${base}) for ${literal}, whose class is ${errorClassOf(literal).name}`);
        }
      }
    }
    expect(subclasses).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('the scan sees a hand-built error (it would fail on one)', () => {
    const sample = "throw new TransportError('TROUPE_ERR_NODE_DOWN', 'gone');";
    expect([...sample.matchAll(HAND_BUILT)]).toHaveLength(1);
  });
});
