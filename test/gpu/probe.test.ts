// probeGpus in-process against the project's fake nvidia-smi, given by path (the `command` option).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readGpuVisibility } from '../../src/config/visible-devices.js';
import { NimletError } from '../../src/errors.js';
import { probeGpus, probeGpusOrAbsent } from '../../src/gpu/probe.js';
import { FAKE_NVSMI_DIR } from './fixtures.js';

const FAKE = path.join(FAKE_NVSMI_DIR, 'nvidia-smi');
const FULL = '--query-gpu=index,uuid,name,pci.bus_id,pci.device_id,memory.total,memory.used,memory.free,compute_cap,driver_version,mig.mode.current';
const OLD = '--query-gpu=index,uuid,name,pci.bus_id,pci.device_id,memory.total,memory.used,memory.free,driver_version,mig.mode.current';
const FORMAT = '--format=csv,noheader,nounits';

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nimlet-probe-'));
  log = path.join(dir, 'calls.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every GPU counts: visibility is read in config/ and tested in visible-devices.test.ts. */
const ALL = { nvidia: null, cuda: null };
const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH, NIMLET_FAKE_NVSMI_LOG: log, ...extra });
const calls = (): string[][] => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);

describe('probeGpus', () => {
  it('makes one call on a machine without MIG', async () => {
    const inv = await probeGpus({ env: env({ NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8' }), visibility: ALL, timeoutMs: 10_000, command: FAKE });
    expect(inv.driverVersion).toBe('565.57.01');
    expect(inv.gpus).toHaveLength(8);
    expect(inv.absentReason).toBeNull();
    expect(calls()).toEqual([[FULL, FORMAT]]);
  });

  it('asks an old driver again without compute_cap, and fills it from the PCI table', async () => {
    const inv = await probeGpus({ env: env({ NIMLET_FAKE_NVSMI_MACHINE: 'a100-40gb-drv460' }), visibility: ALL, timeoutMs: 10_000, command: FAKE });
    expect(calls()).toEqual([[FULL, FORMAT], [OLD, FORMAT]]);
    expect(inv.gpus.map((g) => [g.name, g.computeCapability, g.family])).toEqual([
      ['A100-SXM4-40GB', '8.0', 'A100'],
      ['A100-SXM4-40GB', '8.0', 'A100'],
    ]);
  });

  it('lists MIG devices with -L only when a GPU has MIG on', async () => {
    const inv = await probeGpus({ env: env({ NIMLET_FAKE_NVSMI_MACHINE: 'h200-mig' }), visibility: ALL, timeoutMs: 10_000, command: FAKE });
    expect(calls()).toEqual([[FULL, FORMAT], ['-L']]);
    expect(inv.gpus[0]?.migDevices.map((m) => m.profile)).toEqual(['1c.3g.71gb', '2c.3g.71gb', '1g.18gb']);
  });

  it('applies the visibility variables after the probe', async () => {
    const inv = await probeGpus({
      env: env({ NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8' }), visibility: readGpuVisibility({ NVIDIA_VISIBLE_DEVICES: 'none' }), timeoutMs: 10_000, command: FAKE,
    });
    expect(inv).toEqual({ driverVersion: '565.57.01', gpus: [], absentReason: 'NVIDIA_VISIBLE_DEVICES=none hides every GPU' });
  });

  it.each([
    ['no-driver', 'gpu-probe-failed', `${FAKE} couldn't communicate with the NVIDIA driver (exit 9)`],
    ['no-devices', 'no-gpu', `${FAKE} found no GPU: "No devices were found" (exit 6)`],
    ['segv', 'gpu-probe-failed', `${FAKE} was killed by SIGSEGV (signal 11)`],
    ['other-exit', 'gpu-probe-failed', `${FAKE} failed with exit 15: Unable to determine the device handle for GPU 0000:18:00.0: Unknown Error`],
  ])('%s → %s', async (fail, code, message) => {
    const error = await probeGpus({ env: env({ NIMLET_FAKE_NVSMI_FAIL: fail }), visibility: ALL, timeoutMs: 10_000, command: FAKE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NimletError);
    expect([(error as NimletError).code, (error as NimletError).exitCode, (error as NimletError).message]).toEqual([code, 69, message]);
  });

  it('kills a hung nvidia-smi at the deadline', async () => {
    const error = await probeGpus({ env: env({ NIMLET_FAKE_NVSMI_FAIL: 'hang' }), visibility: ALL, timeoutMs: 500, command: FAKE }).catch((e: unknown) => e);
    expect((error as NimletError).message).toBe(`${FAKE} did not answer within 0.5 s and was stopped`);
  });

  it('a command that does not exist is no-gpu with the container hint', async () => {
    const error = (await probeGpus({ env: env({}), visibility: ALL, timeoutMs: 10_000, command: path.join(dir, 'nvidia-smi') }).catch((e: unknown) => e)) as NimletError;
    expect([error.code, error.message]).toEqual(['no-gpu', `${path.join(dir, 'nvidia-smi')} was not found on PATH: no NVIDIA driver is visible here`]);
    expect(error.hint).toContain('--gpus all');
  });
});

describe('probeGpusOrAbsent', () => {
  it('turns a probe failure into an empty inventory with the reason', async () => {
    const inv = await probeGpusOrAbsent({ env: env({ NIMLET_FAKE_NVSMI_FAIL: 'no-devices' }), visibility: ALL, timeoutMs: 10_000, command: FAKE });
    expect(inv).toEqual({ driverVersion: null, gpus: [], absentReason: `${FAKE} found no GPU: "No devices were found" (exit 6)` });
  });

  it('still throws a visibility variable naming no GPU here', async () => {
    const visibility = readGpuVisibility({ CUDA_VISIBLE_DEVICES: '9' });
    const run = probeGpusOrAbsent({ env: env({ NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8' }), visibility, timeoutMs: 10_000, command: FAKE });
    await expect(run).rejects.toMatchObject({ code: 'bad-config', exitCode: 78, message: expect.stringContaining('no GPU with index 9 here') });
  });
});
