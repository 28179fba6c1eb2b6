import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readInventory } from '../../src/cache/inventory.js';
import { cacheLayout } from '../../src/cache/layout.js';
import { thisHost } from '../../src/cache/lock.js';
import { planPrune } from '../../src/cache/prune.js';
import type { Manifest } from '../../src/manifest/types.js';

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'nimlet-prune-'));
});
afterEach(() => rm(cache, { recursive: true, force: true }));

const emptyManifest: Manifest = { file: '/m.yaml', dir: '/', layout: 'schema-2', profiles: [], warnings: [] };

async function lock(name: string, pid: number) {
  const dir = path.join(cacheLayout(cache).locks, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify({ token: 't', host: await thisHost(), pid, since: '' }));
}

it('never touches a live lock or the partial it guards; removes abandoned locks, old temporaries, orphan partials', async () => {
  const l = cacheLayout(cache);
  const dead = Number((await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])).stdout);
  await lock('live-key.lock', process.ppid);
  await lock('dead-key.lock', dead);
  await mkdir(l.partials, { recursive: true });
  await writeFile(path.join(l.partials, 'live-key'), 'being written');
  await writeFile(path.join(l.partials, 'orphan'), 'nobody');
  await mkdir(path.join(l.tmp, 'ws-1-old'), { recursive: true });
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  await utimes(path.join(l.tmp, 'ws-1-old'), old, old);
  await mkdir(path.join(l.tmp, 'ws-2-fresh'), { recursive: true });
  const items = await planPrune(await readInventory(cache), emptyManifest);
  expect(items.map((i) => `${i.kind} ${path.relative(cache, i.path)}`).sort()).toEqual(
    ['lock locks/dead-key.lock', 'partial partials/orphan', 'temporary tmp/ws-1-old'],
  );
});
