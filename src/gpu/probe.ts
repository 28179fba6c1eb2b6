// The GPU probe (DESIGN §5): one nvidia-smi --query-gpu call within a deadline, asked again without compute_cap
// for drivers that predate it, `nvidia-smi -L` only when some GPU has MIG on; then the visibility variables.
import type { Env } from '../config/read.js';
import type { GpuVisibility } from '../config/visible-devices.js';
import { isNimletError } from '../errors.js';
import { attachMigDevices, parseMigList } from './mig-list.js';
import { diagnoseFailure } from './probe-errors.js';
import { parseQueryCsv, queryFields, type QueryResult } from './query-csv.js';
import { runCommand } from './run-command.js';
import type { GpuInventory } from './types.js';
import { applyVisibility } from './visible-devices.js';

export interface ProbeOptions {
  /** nvidia-smi's environment (PATH, its library path): passed on, not read. */
  env: Env;
  /** Which GPUs count (settings.gpuVisibility). */
  visibility: GpuVisibility;
  /** The whole probe's budget, every nvidia-smi call included (settings.probeTimeoutMs). */
  timeoutMs: number;
  /** The nvidia-smi to run (default: `nvidia-smi` from PATH). */
  command?: string;
  /** Stops the probe at once (nvidia-smi killed); the probe then throws the signal's reason. */
  signal?: AbortSignal;
}

const NOT_A_VALID_FIELD = /Field "compute_cap" is not a valid field to query/i;

function queryArgs(hasComputeCap: boolean): string[] {
  return [`--query-gpu=${queryFields(hasComputeCap).join(',')}`, '--format=csv,noheader,nounits'];
}

/** Runs one nvidia-smi call within what is left of the deadline; stdout on exit 0, else the diagnosed error. */
async function call(command: string, args: string[], env: Env, deadline: number, budgetMs: number, signal?: AbortSignal): Promise<{ ok: true; stdout: string } | { ok: false; said: string; error: Error }> {
  const outcome = await runCommand(command, args, { env, timeoutMs: deadline - Date.now(), ...(signal ? { signal } : {}) });
  signal?.throwIfAborted();
  if (outcome.kind === 'exited' && outcome.code === 0) return { ok: true, stdout: outcome.stdout };
  const said = outcome.kind === 'spawn-failed' ? '' : `${outcome.stdout}\n${outcome.stderr}`;
  return { ok: false, said, error: diagnoseFailure(outcome, command, budgetMs) };
}

async function queryGpus(command: string, env: Env, deadline: number, budgetMs: number, signal?: AbortSignal): Promise<QueryResult> {
  const first = await call(command, queryArgs(true), env, deadline, budgetMs, signal);
  if (first.ok) return parseQueryCsv(first.stdout, { hasComputeCap: true });
  // Drivers before R510 do not know compute_cap: ask again without it; the PCI-id table fills it in.
  if (!NOT_A_VALID_FIELD.test(first.said)) throw first.error;
  const second = await call(command, queryArgs(false), env, deadline, budgetMs, signal);
  if (!second.ok) throw second.error;
  return parseQueryCsv(second.stdout, { hasComputeCap: false });
}

/** What the GPUs are, after NVIDIA_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES. Each failure is its own NimletError (exit 69). */
export async function probeGpus(opts: ProbeOptions): Promise<GpuInventory> {
  const command = opts.command ?? 'nvidia-smi';
  const deadline = Date.now() + opts.timeoutMs;
  const { driverVersion, gpus } = await queryGpus(command, opts.env, deadline, opts.timeoutMs, opts.signal);
  let withMig = gpus;
  if (gpus.some((g) => g.migEnabled)) {
    const listing = await call(command, ['-L'], opts.env, deadline, opts.timeoutMs, opts.signal);
    if (!listing.ok) throw listing.error;
    withMig = attachMigDevices(gpus, parseMigList(listing.stdout));
  }
  const visible = applyVisibility(withMig, opts.visibility);
  return { driverVersion, gpus: visible.gpus, absentReason: visible.absentReason };
}

/**
 * The probe for commands that go on without GPUs (list-model-profiles lists every profile as incompatible):
 * a missing or failing nvidia-smi becomes an empty inventory whose absentReason is the error's message.
 * Bad visibility variables (exit 78) still throw.
 */
export async function probeGpusOrAbsent(opts: ProbeOptions): Promise<GpuInventory> {
  try {
    return await probeGpus(opts);
  } catch (e) {
    if (isNimletError(e) && (e.code === 'no-gpu' || e.code === 'gpu-probe-failed')) {
      return { driverVersion: null, gpus: [], absentReason: e.message };
    }
    throw e;
  }
}
