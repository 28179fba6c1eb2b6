// The files outside ISOLATED (vitest.config.ts) share one module graph per worker, so a helper module is evaluated
// once per worker: a hook it registers at its top level (afterEach, beforeAll, …) runs for the first test file that
// imported it and silently for no other — its cleanup (processes, temporary folders) skipped. Such helpers bind
// their cleanup to the test instead (onTestFinished) or register it from a function each test file calls.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED } from '../../vitest.config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOP_LEVEL_HOOK = /^(afterEach|beforeEach|afterAll|beforeAll)\(/m;

/** Whether a repository-relative path matches one ISOLATED entry: a file, or `dir/**\/*.test.ts`. */
const isolated = (rel: string): boolean => ISOLATED.some((g) => (g.endsWith('/**/*.test.ts') ? rel.startsWith(g.slice(0, -'**/*.test.ts'.length)) : rel === g));

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(rel);
    return rel.endsWith('.test.ts') ? [rel] : [];
  });
}

/** The repository's own .ts modules a file imports, directly or through others (`./x.js` resolves to `./x.ts`). */
function helpersOf(file: string, seen = new Set<string>()): Set<string> {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
    const rel = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), `${m[1]}.ts`));
    // existsSync: a test's own source text may quote an import (test/architecture.test.ts's made-up trees)
    if (!rel.startsWith('test/') || seen.has(rel) || !existsSync(path.join(ROOT, rel))) continue;
    seen.add(rel);
    helpersOf(rel, seen);
  }
  return seen;
}

describe('test helpers shared between files', () => {
  const shared = testFiles('test').filter((f) => !isolated(f));

  it('the shared project holds most files, the CLI tier not', () => {
    expect(shared.length).toBeGreaterThan(50);
    expect(shared.some((f) => f.startsWith('test/cli/'))).toBe(false);
  });

  it('no helper a shared test file imports registers a hook at its top level', () => {
    const helpers = new Set(shared.flatMap((f) => [...helpersOf(f)]));
    const offending = [...helpers].filter((h) => !h.endsWith('.test.ts') && TOP_LEVEL_HOOK.test(readFileSync(path.join(ROOT, h), 'utf8')));
    expect(offending).toEqual([]);
  });
});
