// `docker run --env-file` passes a value exactly as the file spells it: `NIM_MODEL_PROFILE="vllm-bf16-tp1"` arrives
// with its quotes (docker compose's env_file strips them, so NIM users write them). nimlet takes such a value as
// the shell and compose would: one pair of matching quotes around the whole value is removed, once, at the top.
import type { Env } from './read.js';

/** Variables whose value is a command line: quotes there are syntax (splitCommandLine reads them), kept as given. */
const COMMAND_LINES = new Set(['NIM_PASSTHROUGH_ARGS', 'NIMLET_VLLM_CMD', 'NIMLET_TRTLLM_CMD', 'NIMLET_SGLANG_CMD']);

/** The variables nimlet reads (DESIGN §2): its own, NIM's, the hubs', and the GPU visibility ones. */
const READ = /^(NIM_|NIMLET_|NGC_|HF_|CUDA_VISIBLE_DEVICES$|NVIDIA_VISIBLE_DEVICES$)/;

/** `"x"` or `'x'` (around the whole trimmed value, no such quote inside) → `x`; anything else unchanged. */
export function unquoteValue(value: string): string {
  const v = value.trim();
  if (v.length < 2) return value;
  const q = v[0];
  if ((q !== '"' && q !== "'") || v[v.length - 1] !== q) return value;
  const inner = v.slice(1, -1);
  return inner.includes(q) ? value : inner;
}

/** The environment with every quoted value of a variable nimlet reads unquoted (command lines excepted). */
export function unquoteEnv(env: Env): Env {
  const out: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && READ.test(name) && !COMMAND_LINES.has(name)) out[name] = unquoteValue(value);
  }
  return out;
}
