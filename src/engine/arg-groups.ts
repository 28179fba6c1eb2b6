// "Each flag once" (DESIGN §8): a flag nimlet would emit that the profile's engine.args or NIM_PASSTHROUGH_ARGS also
// give is left out of nimlet's part, so the engine sees it once, with the user's value. vLLM and SGLang take
// `--max-model-len` and `--max_model_len` alike (argparse in vLLM's FlexibleArgumentParser turns _ into -), so
// names compare with `_` as `-`; `--flag=value` counts as `--flag`. Pure.
import type { ArgGroup } from './types.js';

function flagKey(arg: string): string | null {
  if (!arg.startsWith('--')) return null;
  return arg.split('=', 1)[0]!.replace(/_/g, '-').toLowerCase();
}

/** The flags a list of user arguments sets. */
function flagsIn(args: readonly string[]): Set<string> {
  return new Set(args.map(flagKey).filter((k): k is string => k !== null));
}

/** nimlet's groups, flattened, without those whose flag the user's arguments set again. */
export function flattenGroups(groups: readonly ArgGroup[], userArgs: readonly string[]): string[] {
  const user = flagsIn(userArgs);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const group of groups) {
    const key = flagKey(group[0]);
    if (key !== null && (user.has(key) || seen.has(key))) continue;
    if (key !== null) seen.add(key);
    out.push(...group);
  }
  return out;
}
