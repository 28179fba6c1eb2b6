// The settings a command runs with: the environment's (src/config/env.ts), with `--cache` over NIM_CACHE_PATH.
import path from 'node:path';
import { readSettings, type Settings } from '../config/env.js';
import type { CliContext, CommonOptions } from './context.js';

export function commandSettings(ctx: CliContext, options: Pick<CommonOptions, 'cache'>): Settings {
  const settings = readSettings(ctx.env);
  return options.cache ? { ...settings, cacheDir: path.resolve(ctx.cwd, options.cache) } : settings;
}
