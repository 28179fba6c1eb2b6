// The engine's environment (DESIGN §8): the parent's, without the download credentials, with the chosen GPUs and
// Hugging Face offline. The engine never downloads (nimlet did), so it needs no token, and a token in its
// environment would leak into its logs, crash dumps and /proc/<pid>/environ.
import { isCredentialVariable } from '../config/credentials.js';
import { searchableSecrets } from '../log/redact.js';

/** Credential values (any spelling of the names) worth searching for inside other variables, as every printer does. */
function credentialValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return searchableSecrets(Object.entries(env).filter(([k]) => isCredentialVariable(k)).map(([, v]) => v?.trim()));
}

export interface EngineEnvInput {
  parentEnv: Readonly<Record<string, string | undefined>>;
  /** CUDA_VISIBLE_DEVICES entries, in the order the engine should number them: nvidia-smi indices, or a MIG-… UUID. */
  cudaDevices: readonly string[];
  /** The profile's `engine.env` from the manifest. */
  profileEnv: Readonly<Record<string, string>>;
}

export function buildEngineEnv(input: EngineEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.parentEnv)) if (v !== undefined) env[k] = v;
  Object.assign(env, input.profileEnv);
  // nimlet's own choices win over the manifest's: the GPUs are the ones selection checked, numbered as nvidia-smi
  // numbers them (PCI bus order; CUDA's default, fastest first, would put another GPU behind an index)
  env.CUDA_VISIBLE_DEVICES = input.cudaDevices.join(',');
  env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
  env.HF_HUB_OFFLINE = '1';
  // a credential copied into another variable (NIM_PASSTHROUGH_ARGS="--hf-token $HF_TOKEN") is dropped with it
  const secrets = credentialValues(input.parentEnv);
  for (const [k, v] of Object.entries(env)) {
    if (isCredentialVariable(k) || secrets.some((s) => v.includes(s))) delete env[k];
  }
  return env;
}

/** The variables the engine gets that differ from the parent's (what a dry run shows); credentials never. */
export function changedVariables(
  parentEnv: Readonly<Record<string, string | undefined>>,
  engineEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const k of Object.keys(engineEnv).sort()) {
    const v = engineEnv[k]!;
    if (parentEnv[k] !== v && !isCredentialVariable(k)) changed[k] = v;
  }
  return changed;
}
