import { describe, expect, it } from 'vitest';
import { NimletError } from '../../src/errors.js';
import { parseQueryCsv, queryFields } from '../../src/gpu/query-csv.js';
import { isOldDriver, machineFile } from './fixtures.js';

const parseMachine = (m: string) => parseQueryCsv(machineFile(m, 'query.csv'), { hasComputeCap: !isOldDriver(m) });

describe('parseQueryCsv over the fixtures', () => {
  it.each([
    // machine, count, driver, first GPU's name, pci id, family, cc, total MiB, free MiB, MIG
    ['h100-sxm-x8', 8, '565.57.01', 'NVIDIA H100 80GB HBM3', '2330:10de', 'H100', '9.0', 81559, 81106, false],
    ['a100-40gb-drv460', 2, '460.32.03', 'A100-SXM4-40GB', '20b0:10de', 'A100', '8.0', 40536, 40536, false],
    ['h100-mig', 2, '590.48.01', 'NVIDIA H100 80GB HBM3', '2330:10de', 'H100', '9.0', 81559, 81022, true],
    ['h200-mig', 1, '590.48.01', 'NVIDIA H200', '2335:10de', 'H200', '9.0', 143771, 143103, true],
    ['a10g-masked', 1, '515.105.01', 'NVIDIA A10G', null, 'A10G', '8.6', 23028, 22569, false],
    ['gtx1660-drv418', 1, '418.43', 'Graphics Device', '2184:10de', 'GTX1660', '7.5', 5912, 5912, false],
    ['l40-l40s-mixed', 2, '550.127.05', 'NVIDIA L40', '26b5:10de', 'L40', '8.9', 46068, 45589, false],
    ['gb10-unified', 1, '580.95.05', 'NVIDIA GB10', '2e12:10de', null, '12.1', null, null, false],
  ] as const)('%s', (machine, count, driver, name, pci, family, cc, total, free, mig) => {
    const r = parseMachine(machine);
    expect(r.driverVersion).toBe(driver);
    expect(r.gpus).toHaveLength(count);
    expect(r.gpus.map((g) => g.index)).toEqual([...Array(count).keys()]);
    expect(r.gpus[0]).toMatchObject({
      name, pciDeviceId: pci, family, computeCapability: cc, memoryTotalMiB: total, memoryFreeMiB: free, migEnabled: mig,
      migDevices: [],
    });
  });

  it('reads every column of one row', () => {
    expect(parseMachine('h100-sxm-x8').gpus[3]).toEqual({
      index: 3,
      uuid: 'GPU-3f2a9c13-7b4e-4d21-9a0c-5e8f1b2c3d43',
      name: 'NVIDIA H100 80GB HBM3',
      pciDeviceId: '2330:10de',
      busId: '00000000:5C:00.0',
      memoryTotalMiB: 81559,
      memoryUsedMiB: 1,
      memoryFreeMiB: 81106,
      computeCapability: '9.0',
      family: 'H100',
      migEnabled: false,
      migDevices: [],
    });
  });

  it('keeps an L40 and an L40S apart', () => {
    expect(parseMachine('l40-l40s-mixed').gpus.map((g) => [g.pciDeviceId, g.family])).toEqual([
      ['26b5:10de', 'L40'],
      ['26b9:10de', 'L40S'],
    ]);
  });

  it('[N/A] and [Not Supported] are unknown, never numbers', () => {
    const [g] = parseMachine('gb10-unified').gpus;
    expect([g?.memoryTotalMiB, g?.memoryUsedMiB, g?.memoryFreeMiB]).toEqual([null, null, null]);
  });
});

const row = (cells: Record<string, string>) =>
  queryFields(true).map((f) => cells[f] ?? {
    index: '0', uuid: 'GPU-3f2a9c10-7b4e-4d21-9a0c-5e8f1b2c3d40', name: 'NVIDIA H100 80GB HBM3', 'pci.bus_id': '00000000:18:00.0',
    'pci.device_id': '0x233010DE', 'memory.total': '81559', 'memory.used': '1', 'memory.free': '81106',
    compute_cap: '9.0', driver_version: '565.57.01', 'mig.mode.current': 'Disabled',
  }[f]).join(', ');

describe('parseQueryCsv cell by cell', () => {
  it.each([
    ['units left in (a call without nounits)', { 'memory.total': '81559 MiB', 'memory.free': '81106 MiB' }, { memoryTotalMiB: 81559, memoryFreeMiB: 81106 }],
    ['[N/A] memory', { 'memory.used': '[N/A]' }, { memoryUsedMiB: null }],
    ['[Not Supported] memory', { 'memory.free': '[Not Supported]' }, { memoryFreeMiB: null }],
    ['bare N/A memory', { 'memory.total': 'N/A' }, { memoryTotalMiB: null }],
    ['[N/A] compute capability falls back to the table', { compute_cap: '[N/A]' }, { computeCapability: '9.0' }],
    ['driver capability wins over the table', { compute_cap: '9.1' }, { computeCapability: '9.1' }],
    ['unknown id and unknown capability', { 'pci.device_id': '0xFFFF10DE', compute_cap: '[N/A]' }, { computeCapability: null, pciDeviceId: 'ffff:10de', family: 'H100' }],
    ['masked id: family from the name', { 'pci.device_id': '0x000000DE', name: 'NVIDIA L40S' }, { pciDeviceId: null, family: 'L40S' }],
    ['MIG enabled', { 'mig.mode.current': 'Enabled' }, { migEnabled: true }],
    ['MIG [N/A] (no MIG support)', { 'mig.mode.current': '[N/A]' }, { migEnabled: false }],
    ['one PCI id, two products: the name decides', { 'pci.device_id': '0x25B610DE', name: 'NVIDIA A2' }, { family: 'A2', computeCapability: '9.0' }],
    ['name kept as the driver reports it', { name: 'Graphics Device', 'pci.device_id': '0x26B910DE' }, { name: 'Graphics Device', family: 'L40S' }],
  ])('%s', (_, cells, want) => {
    expect(parseQueryCsv(row(cells) + '\n', { hasComputeCap: true }).gpus[0]).toMatchObject(want);
  });

  it('an unknown driver version is null', () => {
    expect(parseQueryCsv(row({ driver_version: '[N/A]' }), { hasComputeCap: true }).driverVersion).toBeNull();
  });

  it('accepts CRLF line ends and a trailing blank line', () => {
    const text = `${row({})}\r\n${row({ index: '1', uuid: 'GPU-3f2a9c11-7b4e-4d21-9a0c-5e8f1b2c3d41' })}\r\n\r\n`;
    expect(parseQueryCsv(text, { hasComputeCap: true }).gpus.map((g) => g.index)).toEqual([0, 1]);
  });

  it.each([
    ['upper case', 'GPU-B42DD28E-FFDD-8720-1DF0-98BD8CDC05B1'],
    ['all zeros (a scrubbed capture)', 'GPU-00000000-0000-0000-0000-000000000000'],
    ['32 hex digits grouped otherwise', 'GPU-b42dd28effdd87201df098bd8cdc05b1'],
  ])('takes a UUID in %s', (_, uuid) => {
    expect(parseQueryCsv(row({ uuid }), { hasComputeCap: true }).gpus[0]?.uuid).toBe(uuid);
  });

  it('index 9999 is still an index', () => {
    expect(parseQueryCsv(row({ index: '9999' }), { hasComputeCap: true }).gpus[0]?.index).toBe(9999);
  });

  it('one UUID on two rows (cloned VM images) is two GPUs: only giving both to one engine is refused', () => {
    const twin = 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab';
    const text = `${row({ uuid: twin })}\n${row({ index: '1', uuid: twin, 'pci.bus_id': '00000000:19:00.0' })}\n`;
    expect(parseQueryCsv(text, { hasComputeCap: true }).gpus.map((g) => [g.index, g.uuid])).toEqual([[0, twin], [1, twin]]);
  });
});

describe('parseQueryCsv refuses what is not the table', () => {
  const failure = (text: string, hasComputeCap = true): NimletError => {
    try {
      parseQueryCsv(text, { hasComputeCap });
    } catch (e) {
      return e as NimletError;
    }
    throw new Error('parsed');
  };

  it.each([
    ['', 'nvidia-smi printed output nimlet cannot read (nothing at all): ""'],
    ['\u0000\u0001binary noise ### from a broken wrapper\n;;;\n',
      'nvidia-smi printed output nimlet cannot read (expected 11 columns, found 1): "??binary noise ### from a broken wrapper | ;;;"'],
    ['a, b, c, d, e, f, g, h, i, j, k',
      'nvidia-smi printed output nimlet cannot read (the GPU index is "a", not a whole number below 10000): "a, b, c, d, e, f, g, h, i, j, k"'],
  ])('%j', (text, message) => {
    const e = failure(text);
    expect(e).toBeInstanceOf(NimletError);
    expect([e.code, e.exitCode, e.message]).toEqual(['gpu-probe-failed', 69, message]);
    expect(e.hint).toContain('--query-gpu=index,uuid,name,pci.bus_id,pci.device_id,memory.total,memory.used,memory.free,compute_cap,driver_version,mig.mode.current');
  });

  // What reached CUDA_VISIBLE_DEVICES before: "" hid every GPU from the engine, "[N/A]" named none, 1e+23 was an index.
  it.each([
    ['an empty UUID', row({ uuid: '' }), 'GPU 0 has no valid UUID: ""'],
    ['[N/A] for the UUID', row({ uuid: '[N/A]' }), 'GPU 0 has no valid UUID: "[N/A]"'],
    ['bare N/A for the UUID', row({ uuid: 'N/A' }), 'GPU 0 has no valid UUID: "N/A"'],
    ['a placeholder UUID', row({ uuid: 'GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' }), 'GPU 0 has no valid UUID: "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"'],
    ['a UUID cut short', row({ uuid: 'GPU-3f2a9c10' }), 'GPU 0 has no valid UUID: "GPU-3f2a9c10"'],
    ['a MIG UUID on a GPU row', row({ uuid: 'MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51' }), 'GPU 0 has no valid UUID: "MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51"'],
    ['an index past any host', row({ index: '99999999999999999999999' }), 'the GPU index is "99999999999999999999999", not a whole number below 10000'],
    ['a negative index', row({ index: '-1' }), 'the GPU index is "-1", not a whole number below 10000'],
    ['a long cell, quoted short', row({ index: '7'.repeat(500) }), `the GPU index is "${'7'.repeat(37)}...", not a whole number below 10000`],
    ['one row twice', `${row({})}\n${row({})}\n`, 'GPU index 0 is listed twice'],
    ['one index on two GPUs', `${row({})}\n${row({ uuid: 'GPU-3f2a9c11-7b4e-4d21-9a0c-5e8f1b2c3d41' })}\n`, 'GPU index 0 is listed twice'],
  ])('%s is refused', (_, text, why) => {
    const e = failure(text);
    expect([e.code, e.exitCode]).toEqual(['gpu-probe-failed', 69]);
    expect(e.message).toContain(`nvidia-smi printed output nimlet cannot read (${why}): "`);
  });

  it('an old-driver answer read as a new one is refused (10 columns, 11 expected)', () => {
    expect(failure(machineFile('a100-40gb-drv460', 'query.csv')).message).toContain('expected 11 columns, found 10');
  });

  it('quotes at most 120 characters', () => {
    expect(failure('x'.repeat(500)).message).toMatch(/"x{117}\.\.\."$/);
  });
});
