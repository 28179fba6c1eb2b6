// Runs every doctor check (the independent ones side by side) and prints the verdicts.
import type { Env, Settings } from '../../config/env.js';
import { checkCache } from './cache-checks.js';
import type { Check } from './check.js';
import { checkGpus } from './gpu-checks.js';
import { checkHost } from './host-checks.js';
import { checkCredentials, checkManifest } from './manifest-checks.js';
import { checkEndpoints } from './network-checks.js';

export interface DoctorInput {
  env: Env;
  settings: Settings;
  cwd: string;
  cacheDir: string;
  manifestOption: string | undefined;
  /** How long each endpoint gets to answer (readDoctorTimeoutMs). */
  endpointTimeoutMs: number;
}

export async function runDoctor(input: DoctorInput): Promise<Check[]> {
  const [gpus, host, cache, manifest, endpoints] = await Promise.all([
    checkGpus(input.env, input.settings.probeTimeoutMs),
    checkHost(),
    checkCache(input.cacheDir),
    checkManifest(input.manifestOption, input.settings, input.cwd),
    checkEndpoints(input.settings, input.endpointTimeoutMs),
  ]);
  return [...gpus, ...host, ...cache, ...manifest.checks, ...checkCredentials(input.settings, manifest.manifest), ...endpoints];
}

export function formatChecks(checks: readonly Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.flatMap((c) => [
    `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.hint && c.status !== 'ok' ? [`${' '.repeat(width + 8)}hint: ${c.hint}`] : []),
  ]);
}
