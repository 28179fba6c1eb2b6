// The start-up summary (DESIGN §8, issue 5): what nimlet chose and why, where the model is, what it fetched,
// the engine's command line with secrets redacted, and how long each stage took. Text for people; one
// `startup` JSON line under NIM_JSONL_LOGGING=1 for log pipelines.
import type { Logger } from './logger.js';
import { formatCommandLine, redactArgv } from './redact.js';
import { formatBytes } from '../format-bytes.js';

export interface StartupSummary {
  engine: string;
  profile: { id: string; name: string };
  why: readonly string[];
  gpus: readonly { index: number; uuid: string }[];
  cacheDir: string;
  modelDir: string;
  /** `cache`: the profile's workspace; `local`: NIM_MODEL_NAME's folder, nothing downloaded. */
  modelSource: 'cache' | 'local';
  download: { files: number; bytes: number; cached: number; unknownSizeFiles: number; fetchedBytes: number };
  argv: readonly string[];
  timingsMs: Readonly<Record<string, number>>;
}

function textLines(s: StartupSummary, secrets: readonly (string | null)[]): string[] {
  const gpus = s.gpus.map((g) => `${g.index} (${g.uuid})`).join(', ') || 'none';
  const model = s.modelSource === 'local'
    ? `${s.modelDir} (NIM_MODEL_NAME: nothing downloaded)`
    : `${s.modelDir} (${s.download.files} files: ${s.download.cached} already cached, ${formatBytes(s.download.fetchedBytes)} fetched now)`;
  const timings = Object.entries(s.timingsMs).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ');
  return [
    `nimlet: starting ${s.engine} with profile ${s.profile.id} (${s.profile.name})`,
    ...s.why.map((w) => `  why: ${w}`),
    `  GPUs: ${gpus}`,
    `  cache: ${s.cacheDir}`,
    `  model: ${model}`,
    `  command: ${formatCommandLine(s.argv, secrets)}`,
    `  timings: ${timings}`,
  ];
}

export function logStartupSummary(logger: Logger, s: StartupSummary, jsonl: boolean, secrets: readonly (string | null)[]): void {
  if (!jsonl) {
    for (const line of textLines(s, secrets)) logger.info('startup', line);
    return;
  }
  logger.info('startup', `starting ${s.engine} with profile ${s.profile.id} (${s.profile.name})`, {
    engine: s.engine,
    profile: s.profile,
    why: s.why,
    gpus: s.gpus,
    cacheDir: s.cacheDir,
    modelDir: s.modelDir,
    modelSource: s.modelSource,
    download: s.download,
    argv: redactArgv(s.argv, secrets),
    timingsMs: s.timingsMs,
  });
}
