// One definition of "the checks" (issue 19): the GitHub workflow runs exactly the step scripts .ci/run runs, in
// the same order, on push and pull request on a hosted runner, and the README shows its status badge.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

interface Step { run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; steps: Step[] }> }

function ciRunSteps(): string[] {
  const line = read('.ci/run').split('\n').find((l) => l.startsWith('steps=('));
  if (line === undefined) throw new Error('no steps=(...) line in .ci/run');
  return line.slice('steps=('.length, line.indexOf(')')).trim().split(/\s+/).map((s) => `.ci/steps/${s}`);
}

const workflow = parse(read('.github/workflows/ci.yml')) as Workflow;
const [job] = Object.values(workflow.jobs);
if (job === undefined) throw new Error('ci.yml has no job');

describe('.github/workflows/ci.yml', () => {
  it('runs on push and pull_request, on a hosted Linux runner, in one job', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  it("runs exactly .ci/run's steps, in its order, and every script in .ci/steps is one of them", () => {
    const runs = job.steps.filter((s) => s.run !== undefined).map((s) => s.run?.trim());
    expect(runs).toEqual(ciRunSteps());
    const scripts = readdirSync(new URL('../../.ci/steps', import.meta.url)).map((f) => `.ci/steps/${f}`);
    expect(scripts.sort()).toEqual([...ciRunSteps()].sort());
  });

  it('caches npm and the smoke base images, which the smoke step pulls and loads from that cache', () => {
    const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.cache).toBe('npm');
    const cache = job.steps.find((s) => s.uses?.startsWith('actions/cache@'));
    const smoke = job.steps.find((s) => s.run === '.ci/steps/smoke');
    expect(smoke?.env?.SMOKE_BASES).toBe('pull');
    expect(cache?.with?.path).toBe(smoke?.env?.SMOKE_BASES_CACHE);
  });

  it("the README shows the workflow's status badge", () => {
    expect(read('README.md')).toMatch(/\[!\[ci\]\(\.\.\/\.\.\/actions\/workflows\/ci\.yml\/badge\.svg\)\]/);
  });
});
