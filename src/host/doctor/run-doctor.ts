// Runs every doctor check (the independent ones side by side) and prints the verdicts.
import type { Settings } from '../../config/env.js';
import type { Env } from '../../config/read.js';
import { EXIT } from '../../errors.js';
import { checkCache } from './cache-checks.js';
import type { Check } from './check.js';
import { checkGpus } from './gpu-checks.js';
import { checkHost } from './host-checks.js';
import { checkCredentials, checkManifest, manifestUses } from './manifest-checks.js';
import { checkEndpoints } from './network-checks.js';

export interface DoctorInput {
  /** nvidia-smi's environment: passed on, not read. */
  env: Env;
  settings: Settings;
  cwd: string;
  cacheDir: string;
  manifestOption: string | undefined;
  /** How long each endpoint gets to answer (readDoctorTimeoutMs). */
  endpointTimeoutMs: number;
}

export interface DoctorReport {
  checks: Check[];
  /** null when nothing failed; the manifest's own code (66, 65) when it failed, as `serve` would exit; else 69 */
  failureExitCode: number | null;
}

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const manifestLoad = checkManifest(input.manifestOption, input.settings, input.cwd);
  const [gpus, host, cache, manifest, endpoints] = await Promise.all([
    checkGpus(input.env, input.settings.gpuVisibility, input.settings.probeTimeoutMs),
    checkHost(),
    checkCache(input.cacheDir),
    manifestLoad,
    // the manifest loads in milliseconds; its sources decide which hubs are worth reaching
    manifestLoad.then((m) => checkEndpoints(input.settings, input.endpointTimeoutMs, (scheme) => manifestUses(m.manifest, scheme))),
  ]);
  const checks = [...gpus, ...host, ...cache, ...manifest.checks, ...checkCredentials(input.settings, manifest.manifest), ...endpoints];
  const failed = checks.some((c) => c.status === 'fail');
  return { checks, failureExitCode: manifest.exitCode ?? (failed ? EXIT.unavailable : null) };
}

export function formatChecks(checks: readonly Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.flatMap((c) => [
    `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.hint && c.status !== 'ok' ? [`${' '.repeat(width + 8)}hint: ${c.hint}`] : []),
  ]);
}
