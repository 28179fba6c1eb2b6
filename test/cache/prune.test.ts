import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readInventory } from '../../src/cache/inventory.js';
import { cacheLayout } from '../../src/cache/layout.js';
import { thisHost } from '../../src/cache/lock.js';
import { applyPrune, planPrune } from '../../src/cache/prune.js';
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
  await writeFile(path.join(l.partials, 'live-key.ranges'), '{"v":1,"size":13,"todo":[]}'); // a ranged download's map: kept with it
  await writeFile(path.join(l.partials, 'orphan'), 'nobody');
  await writeFile(path.join(l.partials, 'orphan.ranges'), '{}');
  await mkdir(path.join(l.tmp, 'ws-1-old'), { recursive: true });
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  await utimes(path.join(l.tmp, 'ws-1-old'), old, old);
  await mkdir(path.join(l.tmp, 'ws-2-fresh'), { recursive: true });
  const items = await planPrune(await readInventory(cache), emptyManifest);
  expect(items.map((i) => `${i.kind} ${path.relative(cache, i.path)}`).sort()).toEqual(
    ['lock locks/dead-key.lock', 'partial partials/orphan', 'partial partials/orphan.ranges', 'temporary tmp/ws-1-old'],
  );
});

it('keeps an old temporary of a live process, and one with fresh files deep inside (a long unpack)', async () => {
  const l = cacheLayout(cache);
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const mine = path.join(l.tmp, `ws-${process.pid}-0123456789ab`);
  const busy = path.join(l.tmp, 'unpack-999999999-0123456789ab');
  const abandoned = path.join(l.tmp, 'unpack-999999998-0123456789ab');
  for (const d of [mine, busy, abandoned]) await mkdir(path.join(d, 'engine', 'rank0'), { recursive: true });
  await writeFile(path.join(busy, 'engine', 'rank0', 'weights.bin'), 'still being written');
  await writeFile(path.join(abandoned, 'engine', 'rank0', 'weights.bin'), 'left behind');
  await utimes(path.join(abandoned, 'engine', 'rank0', 'weights.bin'), old, old);
  for (const d of [mine, busy, abandoned]) {
    for (const sub of [path.join(d, 'engine', 'rank0'), path.join(d, 'engine'), d]) await utimes(sub, old, old);
  }
  const items = await planPrune(await readInventory(cache), emptyManifest);
  expect(items.map((i) => path.relative(cache, i.path))).toEqual([path.relative(cache, abandoned)]);
});

it('applyPrune takes a lock over only if it is still abandoned: one refreshed since the plan stays', async () => {
  const l = cacheLayout(cache);
  const dead = Number((await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])).stdout);
  await lock('k.lock', dead);
  const items = await planPrune(await readInventory(cache), emptyManifest);
  expect(items.map((i) => i.kind)).toEqual(['lock']);
  // a waiter takes it over and makes it live before prune applies its plan
  await writeFile(path.join(l.locks, 'k.lock', 'owner.json'), JSON.stringify({ token: 'new', host: await thisHost(), pid: process.pid, since: '' }));
  await applyPrune(items, l.tmp);
  expect(JSON.parse(await readFile(path.join(l.locks, 'k.lock', 'owner.json'), 'utf8')).token).toBe('new');
});
