// The settings a command runs with: the environment's (src/config/env.ts), with `--cache` over NIM_CACHE_PATH;
// every variable nimlet reads is checked here, whether this run will need it or not.
import path from 'node:path';
import { readSettings, type Settings } from '../config/env.js';
import type { CliContext, CommonOptions } from './context.js';

export function commandSettings(ctx: CliContext, options: Pick<CommonOptions, 'cache' | 'json'>): Settings {
  const settings = readSettings(ctx.env, ctx.cwd);
  return {
    ...settings,
    ...(options.cache ? { cacheDir: path.resolve(ctx.cwd, options.cache) } : {}),
    // Under --json a script reads stderr too: progress comes as JSON log lines there, never as prose.
    ...(options.json === true ? { jsonLogging: true } : {}),
  };
}
