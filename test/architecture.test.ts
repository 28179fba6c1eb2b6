// The house rules of src/ (STYLE.md "Shape of the code", issue 12), read from the code itself: plain fs and a
// regex over every import (`import type`, re-exports and dynamic imports included). Each rule is shown failing
// on a small made-up tree first, so a rule that could never fire would be seen here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/**
 * Folders (and top-level files) in pipeline order: a room may import its own rank or an earlier one. Rank 0 is
 * "beside": errors.ts, log/, the byte formatter and http/ (the HTTP client of the downloads and the Hub's metadata)
 * serve every stage and import none of the stages. config/ is on top with
 * cli/, but it is where the typed settings passed down are defined, so every room may import it (it imports
 * only errors.ts and the manifest's types back); cli/ is imported by nobody (rule b).
 */
const ORDER: Record<string, number> = {
  'errors.ts': 0, 'format-bytes.ts': 0, log: 0, http: 0,
  manifest: 1, 'model-source': 1,
  gpu: 2,
  select: 3,
  cache: 4,
  engine: 5,
  front: 6, 'multi-node': 6,
  // the doctor looks at every stage from outside: the GPUs, the manifest, the cache folder, the network
  host: 7,
};
const TOP = new Set(['cli', 'config']);

type Tree = Record<string, string>; // path under src/ → source text

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The files under src/ a file imports (relative specifiers only: packages are not rooms). */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

const roomOf = (file: string): string => file.split('/')[0]!;

function processEnvReaders(tree: Tree): string[] {
  return Object.keys(tree).filter((f) => !TOP.has(roomOf(f)) && /\bprocess\.env\b/.test(tree[f]!));
}

/**
 * The working folder comes to every command in ctx.cwd (main.ts reads it once): a relative path taken from anywhere
 * else is wrong under main(argv, ctx).
 */
function processCwdReaders(tree: Tree): string[] {
  return Object.keys(tree).filter((f) => f !== 'cli/main.ts' && /\bprocess\.cwd\b/.test(tree[f]!));
}

function cliImports(tree: Tree): string[] {
  return Object.keys(tree).flatMap((f) => (roomOf(f) === 'cli' ? [] : importsOf(f, tree[f]!).filter((t) => roomOf(t) === 'cli').map((t) => `${f} -> ${t}`)));
}

function backwardImports(tree: Tree): string[] {
  const out: string[] = [];
  for (const f of Object.keys(tree)) {
    const from = roomOf(f);
    if (TOP.has(from)) continue;
    const rank = ORDER[from];
    if (rank === undefined) {
      out.push(`${from} has no place in the pipeline order (test/architecture.test.ts ORDER)`);
      continue;
    }
    for (const t of importsOf(f, tree[f]!)) {
      const to = roomOf(t);
      if (to !== from && !TOP.has(to) && (ORDER[to] ?? Infinity) > rank) out.push(`${f} -> ${t} (${from} comes before ${to})`);
    }
  }
  return out;
}

/** One import cycle per strongly connected group of files, as a path `a -> b -> … -> a`. */
function importCycles(tree: Tree): string[] {
  const edges = new Map(Object.keys(tree).map((f) => [f, importsOf(f, tree[f]!).filter((t) => t in tree)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...edges.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

function readSrc(): Tree {
  const tree: Tree = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) tree[path.relative(SRC, p).split(path.sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(SRC);
  return tree;
}

describe('the rules fire on a tree that breaks them', () => {
  it.each([
    ['(a) process.env below cli/ and config/', processEnvReaders, { 'gpu/probe.ts': 'const v = process.env.CUDA_VISIBLE_DEVICES;' }, ['gpu/probe.ts']],
    ['(e) process.cwd() outside cli/main.ts', processCwdReaders, { 'engine/run.ts': 'const cwd = process.cwd();', 'cli/main.ts': 'cwd: process.cwd(),' }, ['engine/run.ts']],
    ['(b) an import from cli/', cliImports, { 'cache/x.ts': "import type { CliContext } from '../cli/context.js';", 'cli/context.ts': '' }, ['cache/x.ts -> cli/context.ts']],
    ['(c) an import cycle, type-only included', importCycles,
      { 'select/a.ts': "export * from './b.js';", 'select/b.ts': "import type { C } from './c.js';", 'select/c.ts': "const a = await import('./a.js');" },
      ['select/a.ts -> select/b.ts -> select/c.ts -> select/a.ts']],
    ['(d) a folder importing a later one', backwardImports, { 'gpu/x.ts': "import {\n  chooseProfile,\n} from '../select/select.js';", 'select/select.ts': '' },
      ['gpu/x.ts -> select/select.ts (gpu comes before select)']],
    ['(d) a folder with no place in the order', backwardImports, { 'misc/x.ts': '' }, ['misc has no place in the pipeline order (test/architecture.test.ts ORDER)']],
  ])('%s', (_name, rule: (t: Tree) => string[], tree: Tree, found: string[]) => {
    expect(rule(tree)).toEqual(found);
  });

  it('lets the allowed arrows through', () => {
    const tree = { 'cli/a.ts': "import '../cache/b.js'; const e = process.env;", 'cache/b.ts': "import '../config/env.js'; import '../log/x.js';", 'config/env.ts': "import '../manifest/types.js'; process.env;", 'log/x.ts': '', 'manifest/types.ts': '' };
    expect([processEnvReaders(tree), cliImports(tree), importCycles(tree), backwardImports(tree)]).toEqual([[], [], [], []]);
  });
});

describe('src/', () => {
  const tree = readSrc();
  it('reads every file', () => expect(Object.keys(tree).length).toBeGreaterThan(100));
  it('(a) reads process.env only in cli/ and config/', () => expect(processEnvReaders(tree)).toEqual([]));
  it('(b) imports cli/ only from cli/', () => expect(cliImports(tree)).toEqual([]));
  it('(c) has no import cycle', () => expect(importCycles(tree)).toEqual([]));
  it('(d) imports no folder later in the pipeline', () => expect(backwardImports(tree)).toEqual([]));
  it('(e) reads process.cwd() only in cli/main.ts', () => expect(processCwdReaders(tree)).toEqual([]));
});
