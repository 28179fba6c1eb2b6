import { describe, expect, it } from 'vitest';
import { attachMigDevices, parseMigList } from '../../src/gpu/mig-list.js';
import { parseQueryCsv } from '../../src/gpu/query-csv.js';
import { machineFile } from './fixtures.js';

describe('parseMigList', () => {
  it('reads the GPU lines and the MIG devices under each', () => {
    expect(parseMigList(machineFile('h100-mig', 'L.txt'))).toEqual([
      {
        index: 0,
        uuid: 'GPU-5b7c1e20-aaaa-4f00-b1c2-d3e4f5a6b7c8',
        migDevices: [
          { profile: '3g.40gb', index: 0, uuid: 'MIG-9d1e2f30-0000-5a6b-8c9d-0e1f2a3b4c50' },
          { profile: '2g.20gb', index: 1, uuid: 'MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51' },
          { profile: '1g.10gb', index: 2, uuid: 'MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52' },
        ],
      },
      { index: 1, uuid: 'GPU-5b7c1e21-bbbb-4f00-b1c2-d3e4f5a6b7c9', migDevices: [] },
    ]);
  });

  it('reads compute-instance profiles (1c.3g.71gb)', () => {
    expect(parseMigList(machineFile('h200-mig', 'L.txt'))[0]?.migDevices.map((m) => m.profile)).toEqual([
      '1c.3g.71gb', '2c.3g.71gb', '1g.18gb',
    ]);
  });

  it.each([
    ['R450-era MIG UUIDs', 'GPU 0: A100-SXM4-40GB (UUID: GPU-aaaa)\n  MIG 1g.5gb Device 0: (UUID: MIG-GPU-aaaa/7/0)\n',
      [{ index: 0, uuid: 'GPU-aaaa', migDevices: [{ profile: '1g.5gb', index: 0, uuid: 'MIG-GPU-aaaa/7/0' }] }]],
    ['a MIG line before any GPU line is skipped', '  MIG 1g.10gb Device 0: (UUID: MIG-x)\n', []],
    ['unknown lines are skipped', 'No MIG devices found\nGPU 3: NVIDIA H100 PCIe (UUID: GPU-b)\r\n', [{ index: 3, uuid: 'GPU-b', migDevices: [] }]],
    ['empty', '', []],
  ])('%s', (_, text, want) => {
    expect(parseMigList(text)).toEqual(want);
  });
});

describe('attachMigDevices', () => {
  it('gives MIG devices to the GPUs in MIG mode only, matched by index', () => {
    const { gpus } = parseQueryCsv(machineFile('h100-mig', 'query.csv'), { hasComputeCap: true });
    const listed = parseMigList(machineFile('h100-mig', 'L.txt'));
    listed[1]!.migDevices.push({ profile: '7g.80gb', index: 0, uuid: 'MIG-not-in-mig-mode' });
    const out = attachMigDevices(gpus, listed);
    expect(out.map((g) => g.migDevices.length)).toEqual([3, 0]);
  });

  it('a GPU in MIG mode with no devices created has none', () => {
    const { gpus } = parseQueryCsv(machineFile('h100-mig', 'query.csv'), { hasComputeCap: true });
    expect(attachMigDevices(gpus, [])[0]).toMatchObject({ migEnabled: true, migDevices: [] });
  });
});
