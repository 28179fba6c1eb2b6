// The download credentials nimlet holds (DESIGN §2, §7) and their aliases: what the engine's environment leaves
// out and what every printed line is redacted of (log/redact.ts). Other secrets are the engine's own business
// (VLLM_API_KEY protects vLLM's endpoint; AWS_* may be how it streams weights), so they pass through.
import type { Env } from './read.js';

export const CREDENTIAL_VARIABLES: readonly string[] = [
  'NGC_API_KEY',
  'NGC_CLI_API_KEY',
  'NGC_API_TOKEN',
  'HF_TOKEN',
  'HUGGING_FACE_HUB_TOKEN',
  'HF_API_TOKEN',
];

const CREDENTIALS = new Set(CREDENTIAL_VARIABLES);

export function isCredentialVariable(name: string): boolean {
  return CREDENTIALS.has(name.toUpperCase());
}

/** The credentials' values set in `env` (trimmed, as nimlet sends them): the secrets no output may show. */
export function readCredentials(env: Env): string[] {
  return CREDENTIAL_VARIABLES.map((k) => env[k]?.trim() ?? '').filter((v) => v !== '');
}
