import { mkdtempSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeHost, diskSpace } from '../../src/host/facts.js';
import { formatBytes } from '../../src/format-bytes.js';
import { formatHostFacts } from '../../src/host/format.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'nimlet-host-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('diskSpace', () => {
  it('measures the nearest existing folder when the cache does not exist yet', async () => {
    const d = await diskSpace(path.join(tmp, 'not', 'yet', 'made'));
    const s = await statfs(tmp);
    expect(d?.checkedDir).toBe(tmp);
    expect(d?.totalBytes).toBe(s.blocks * s.bsize);
    expect(d!.freeBytes).toBeGreaterThan(0);
  });
});

describe('describeHost', () => {
  it('reports CPU, memory, OS and the cache file system', async () => {
    const facts = await describeHost(path.join(tmp, 'cache'));
    expect(facts.cpu.logicalCores).toBeGreaterThan(0);
    expect(facts.memory.totalBytes).toBeGreaterThan(0);
    expect(facts.os.kernel).not.toBeNull();
    expect(facts.cache).toMatchObject({ dir: path.join(tmp, 'cache'), checkedDir: tmp });
  });

  it('without a cache folder reports no cache', async () => {
    expect((await describeHost()).cache).toBeNull();
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [25276502016, '23.5 GiB'],
    [1024 ** 4 * 3, '3.0 TiB'],
  ])('%d → %s', (n, s) => {
    expect(formatBytes(n)).toBe(s);
  });
});

describe('formatHostFacts', () => {
  it('prints known facts and says unknown for the rest', () => {
    expect(formatHostFacts({
      cpu: { model: 'AMD EPYC 9654', physicalCores: 96, logicalCores: 192 },
      memory: { totalBytes: null, availableBytes: 1024 ** 3 },
      os: { name: 'Ubuntu 22.04.4 LTS', kernel: '5.15.0-105-generic', arch: 'x64' },
      cache: { dir: '/opt/nim/.cache', checkedDir: '/opt/nim', freeBytes: 1024 ** 4, totalBytes: 2 * 1024 ** 4 },
    })).toEqual([
      'CPU:     AMD EPYC 9654 (96 cores, 192 threads)',
      'Memory:  unknown total, 1.0 GiB available',
      'OS:      Ubuntu 22.04.4 LTS, kernel 5.15.0-105-generic (x64)',
      'Cache:   /opt/nim/.cache: 1.0 TiB free of 2.0 TiB',
    ]);
  });
});
