// `nimlet gpus` in-process, the project's fake nvidia-smi first on PATH.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nimlet as run, type CliResult as Result } from '../support/cli.js';
import { FAKE_NVSMI_DIR, NODE_DIR } from '../support/paths.js';
import { tempDir } from '../support/sandbox.js';

let tmp: string;
beforeEach(() => {
  tmp = tempDir('nimlet-gpus-');
});

function nimlet(args: string[], env: Record<string, string>, pathDirs: string[] = [FAKE_NVSMI_DIR, NODE_DIR]): Promise<Result> {
  return run(args, { HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache'), NO_COLOR: '1', PATH: pathDirs.join(path.delimiter), ...env }, { cwd: tmp });
}

/** Whether a process still runs: a zombie (killed, not yet reaped by whoever inherited it) does not. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const json = (r: Result) => JSON.parse(r.stdout) as { driverVersion: string | null; gpus: Array<Record<string, unknown>> };

describe('nimlet gpus --json', async () => {
  it('prints the DESIGN §1 shape for an 8-GPU machine', async () => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = json(r);
    expect(out.driverVersion).toBe('565.57.01');
    expect(out.gpus).toHaveLength(8);
    expect(out.gpus[0]).toEqual({
      index: 0,
      uuid: 'GPU-3f2a9c10-7b4e-4d21-9a0c-5e8f1b2c3d40',
      name: 'NVIDIA H100 80GB HBM3',
      pciDeviceId: '2330:10de',
      busId: '00000000:1B:00.0',
      family: 'H100',
      memoryTotalMiB: 81559,
      memoryUsedMiB: 1,
      memoryFreeMiB: 81106,
      computeCapability: '9.0',
      migEnabled: false,
      migDevices: [],
    });
  });

  it.each([
    // machine, [name, pciDeviceId, family, computeCapability, memoryTotalMiB, migEnabled, MIG devices] of GPU 0
    ['a100-40gb-drv460', ['A100-SXM4-40GB', '20b0:10de', 'A100', '8.0', 40536, false, 0]],
    ['h100-mig', ['NVIDIA H100 80GB HBM3', '2330:10de', 'H100', '9.0', 81559, true, 3]],
    ['h200-mig', ['NVIDIA H200', '2335:10de', 'H200', '9.0', 143771, true, 3]],
    ['a10g-masked', ['NVIDIA A10G', null, 'A10G', '8.6', 23028, false, 0]],
    ['gtx1660-drv418', ['Graphics Device', '2184:10de', 'GTX1660', '7.5', 5912, false, 0]],
    ['l40-l40s-mixed', ['NVIDIA L40', '26b5:10de', 'L40', '8.9', 46068, false, 0]],
    ['gb10-unified', ['NVIDIA GB10', '2e12:10de', null, '12.1', null, false, 0]],
  ] as const)('%s', async (machine, want) => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: machine });
    expect(r.code).toBe(0);
    const g = json(r).gpus[0]!;
    expect([g.name, g.pciDeviceId, g.family, g.computeCapability, g.memoryTotalMiB, g.migEnabled, (g.migDevices as unknown[]).length]).toEqual(want);
  });

  it('asks an old driver twice: with compute_cap, then without', async () => {
    const log = path.join(tmp, 'calls.log');
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'a100-40gb-drv460', NIMLET_FAKE_NVSMI_LOG: log });
    expect(r.code).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.map((c) => c[0]!.includes('compute_cap'))).toEqual([true, false]);
  });

  it('lists MIG devices with their profiles', async () => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'h200-mig' });
    expect(json(r).gpus[0]!.migDevices).toEqual([
      { uuid: 'MIG-7e6d5c4b-0000-4a39-8271-605f4e3d2c10', profile: '1c.3g.71gb', index: 0 },
      { uuid: 'MIG-7e6d5c4b-0001-4a39-8271-605f4e3d2c11', profile: '2c.3g.71gb', index: 1 },
      { uuid: 'MIG-7e6d5c4b-0002-4a39-8271-605f4e3d2c12', profile: '1g.18gb', index: 2 },
    ]);
  });

  it.each([
    [{ NVIDIA_VISIBLE_DEVICES: '2,5' }, [2, 5]],
    [{ CUDA_VISIBLE_DEVICES: 'GPU-3f2a9c17-7b4e-4d21-9a0c-5e8f1b2c3d47,0' }, [0, 7]],
    [{ NVIDIA_VISIBLE_DEVICES: '1,2,3', CUDA_VISIBLE_DEVICES: '3' }, [3]],
  ])('visibility %j', async (env, indices) => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8', ...env });
    expect(r.code).toBe(0);
    expect(json(r).gpus.map((g) => g.index)).toEqual(indices);
  });

  it('a MIG UUID in CUDA_VISIBLE_DEVICES keeps only that MIG device', async () => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'h100-mig', CUDA_VISIBLE_DEVICES: 'MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51' });
    const gpus = json(r).gpus;
    expect(gpus.map((g) => [g.index, (g.migDevices as Array<{ profile: string }>).map((m) => m.profile)])).toEqual([[0, ['2g.20gb']]]);
  });
});

const H100_ROW = '0, GPU-3f2a9c10-7b4e-4d21-9a0c-5e8f1b2c3d40, NVIDIA H100 80GB HBM3, 00000000:1B:00.0, 0x233010DE, 81559, 1, 81106, 9.0, 565.57.01, Disabled';

describe('nimlet gpus failures', async () => {
  const failJson = (r: Result) => JSON.parse(r.stderr) as { error: string; exitCode: number; message: string; hint: string };

  it.each([
    ['no-driver', 'gpu-probe-failed', "nvidia-smi couldn't communicate with the NVIDIA driver (exit 9)", 'lsmod | grep nvidia'],
    ['no-devices', 'no-gpu', 'nvidia-smi found no GPU: "No devices were found" (exit 6)', 'lspci | grep -i nvidia'],
    ['garbage', 'gpu-probe-failed', 'nvidia-smi printed output nimlet cannot read (expected 11 columns, found 1): "??binary noise ### from a broken wrapper | ;;;"', 'by hand'],
    ['segv', 'gpu-probe-failed', 'nvidia-smi was killed by SIGSEGV (signal 11)', 'kernel module'],
  ])('%s exits 69 with its own message and hint', async (fail, code, message, hint) => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_FAIL: fail });
    expect([r.code, r.stdout]).toEqual([69, '']);
    const e = failJson(r);
    expect([e.error, e.exitCode, e.message]).toEqual([code, 69, message]);
    expect(e.hint).toContain(hint);
  });

  // Rows like these reached the engine: CUDA_VISIBLE_DEVICES="" (every GPU hidden), "[N/A]", or one GPU named twice.
  it.each([
    ['one row twice', [H100_ROW, H100_ROW], 'GPU index 0 is listed twice'],
    ['an empty UUID', [H100_ROW.replace(/GPU-[^,]+/, '')], 'GPU 0 has no valid UUID: ""'],
    ['[N/A] for the UUID', [H100_ROW.replace(/GPU-[^,]+/, '[N/A]')], 'GPU 0 has no valid UUID: "[N/A]"'],
    ['an index past any host', [H100_ROW.replace(/^0/, '99999999999999999999999')], 'the GPU index is "99999999999999999999999", not a whole number below 10000'],
  ])('%s: exit 69, the output nimlet cannot read', async (_, rows, why) => {
    const machine = path.join(tmp, 'machine');
    mkdirSync(machine);
    writeFileSync(path.join(machine, 'query.csv'), rows.map((r) => `${r}\n`).join(''));
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: machine });
    expect([r.code, r.stdout]).toEqual([69, '']);
    const e = failJson(r);
    expect(e.error).toBe('gpu-probe-failed');
    expect(e.message).toContain(`nvidia-smi printed output nimlet cannot read (${why}): "`);
    expect(e.hint).toContain('by hand');
  });

  it('no nvidia-smi on PATH: exit 69 and the --gpus all hint', async () => {
    const r = await nimlet(['gpus', '--json'], {}, [path.join(tmp, 'empty-bin')]);
    const e = failJson(r);
    expect([r.code, e.error, e.message]).toEqual([69, 'no-gpu', 'nvidia-smi was not found on PATH: no NVIDIA driver is visible here']);
    expect(e.hint).toContain('--gpus all');
  });

  it('a hang returns at the configured timeout', async () => {
    const pidFile = path.join(tmp, 'nvidia-smi.pid');
    const r = await nimlet(['gpus'], { NIMLET_FAKE_NVSMI_FAIL: 'hang', NIMLET_FAKE_NVSMI_PIDFILE: pidFile, NIMLET_PROBE_TIMEOUT: '2' });
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(
      'nimlet: nvidia-smi did not answer within 2 s and was stopped\n'
      + 'hint: the driver may be hung or still initialising: check `dmesg` for Xid errors, enable persistence mode '
      + '(nvidia-persistenced, or `nvidia-smi -pm 1`), or allow longer with NIMLET_PROBE_TIMEOUT=<seconds>\n',
    );
    // The probe stopped the hung nvidia-smi itself (its whole group), not only stopped waiting: run in-process, the
    // killed process is reaped by this worker a moment later, so wait for it to go (a sleep of 68 years otherwise).
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 5000, interval: 20 });
  });

  it('NVIDIA_VISIBLE_DEVICES=none: exit 69 with the reason', async () => {
    const r = await nimlet(['gpus'], { NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8', NVIDIA_VISIBLE_DEVICES: 'none' });
    expect([r.code, r.stdout]).toEqual([69, '']);
    expect(r.stderr.split('\n')[0]).toBe('nimlet: no GPU is visible: NVIDIA_VISIBLE_DEVICES=none hides every GPU');
  });

  it('a CUDA_VISIBLE_DEVICES naming no GPU is bad configuration (78)', async () => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'l40-l40s-mixed', CUDA_VISIBLE_DEVICES: '4' });
    expect([r.code, failJson(r).message]).toEqual([78, 'CUDA_VISIBLE_DEVICES="4" is not valid: no GPU with index 4 here (indices: 0, 1)']);
  });

  it('a bad NIMLET_PROBE_TIMEOUT is bad configuration (78)', async () => {
    const r = await nimlet(['gpus', '--json'], { NIMLET_FAKE_NVSMI_MACHINE: 'l40-l40s-mixed', NIMLET_PROBE_TIMEOUT: 'soon' });
    expect([r.code, failJson(r).error]).toEqual([78, 'bad-config']);
  });
});

describe('nimlet gpus (text)', async () => {
  it('prints the GPU table and the host facts', async () => {
    const r = await nimlet(['gpus'], { NIMLET_FAKE_NVSMI_MACHINE: 'h100-mig' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'Driver:  590.48.01',
      'GPU    NAME                   PCI ID     FAMILY  CC   MEMORY                  MIG',
      '0      NVIDIA H100 80GB HBM3  2330:10de  H100    9.0  81022 / 81559 MiB free  on (3 devices)',
      '  0:0  MIG 3g.40gb                                                            MIG-9d1e2f30-0000-5a6b-8c9d-0e1f2a3b4c50',
      '  0:1  MIG 2g.20gb                                                            MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51',
      '  0:2  MIG 1g.10gb                                                            MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52',
      '1      NVIDIA H100 80GB HBM3  2330:10de  H100    9.0  81081 / 81559 MiB free  off',
    ]);
    expect(lines[8]).toMatch(/^CPU: {5}\S/);
    expect(lines[9]).toMatch(/^Memory: {2}\d+\.\d GiB total, \d+\.\d GiB available$/);
    expect(lines[10]).toMatch(/^OS: {6}\S/);
    expect(lines[11]!.startsWith(`Cache:   ${path.join(tmp, 'cache', 'nimlet')}: `)).toBe(true);
    expect(lines[11]).toMatch(/: \d+\.\d \w+ free of \d+\.\d \w+$/);
  });
});
