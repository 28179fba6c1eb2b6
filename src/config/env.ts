// Reads nimlet's environment (DESIGN §2) into typed settings. A bad value is an error naming the variable
// (exit 78), never a silent default. Pure: takes the environment as an argument.
import path from 'node:path';
import os from 'node:os';
import { NimletError } from '../errors.js';
import { readFrontSettings, readServerPort, type FrontSettings } from './front.js';
import { readEngines, type EngineDeclaration } from './engines.js';
import { readMultiNode, type MultiNodeSettings } from './multi-node.js';
import { readDownloadSettings, type DownloadSettings } from './downloads.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_MANIFEST_PATHS = [
  '/opt/nim/etc/default/model_manifest.yaml',
  '/etc/nim/config/model_manifest.yaml',
  './model_manifest.yaml',
] as const;

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface Settings {
  /** NIM_MODEL_PROFILE; null for automatic (unset, empty, `default`, `auto`). */
  profilePin: string | null;
  cacheDir: string;
  /**
   * A folder only this user may write (XDG_CACHE_HOME/nimlet-private): the compiled manifest copies live here, never
   * on the shared cache volume, because a copy another pod could edit would change what runs (DESIGN §15).
   */
  privateDir: string;
  manifestFile: string | null;
  ngcApiKey: string | null;
  hfToken: string | null;
  servedModelName: string | null;
  serverPort: number;
  maxModelLen: number | null;
  tensorParallelSize: number | null;
  /** NIM_PIPELINE_PARALLEL_SIZE: the pp of untagged profiles; with multi-node, the pp a tagged profile must have. */
  pipelineParallelSize: number | null;
  peftSource: string | null;
  allowUnsafe: boolean;
  /** NIM_MODEL_NAME when it names a local folder: serve it, download nothing. */
  localModelDir: string | null;
  /** NIM_MODEL_PATH, or NIM_MODEL_NAME when it is an `hf://` URI (DESIGN §13): a model without a manifest. */
  modelPath: string | null;
  /** Where a Hugging Face cache may already hold models: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  hfHubCache: string;
  /**
   * NIMLET_PREFER_CACHED (default on): with no pin, an eligible profile put into the cache on purpose
   * (download-to-cache --profiles, create-model-store) is chosen over one that would have to be downloaded (DESIGN §6).
   */
  preferCached: boolean;
  /** HF_HUB_OFFLINE, NIMLET_OFFLINE or NIM_DISABLE_MODEL_DOWNLOAD: no network call at all. */
  offline: boolean;
  logLevel: LogLevel;
  jsonLogging: boolean;
  passthroughArgs: string[];
  ngcEndpoint: string;
  hfEndpoint: string;
  engineCommands: { vllm: string[] | null; tensorrt_llm: string[] | null; sglang: string[] | null };
  /** NIMLET_ENGINES: the engines the image declares; null: detect them. */
  engines: EngineDeclaration[] | null;
  noColor: boolean;
  probeTimeoutMs: number;
  front: FrontSettings;
  /** NIM_MULTI_NODE and the group's shape (DESIGN §14); null on a single node. */
  multiNode: MultiNodeSettings | null;
  /** Connections, retry tuning, proxy, NIM_REPOSITORY_OVERRIDE: all a download obeys besides endpoints and tokens. */
  downloads: DownloadSettings;
}

function badValue(name: string, value: string, expected: string): NimletError {
  return new NimletError('bad-config', `${name}=${JSON.stringify(value)} is not valid: expected ${expected}`, {
    hint: `set ${name} to ${expected}, or unset it`,
  });
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** A boolean variable: unset or empty is false; anything other than the usual spellings is an error. */
export function readFlag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return false;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw badValue(name, raw, '1/true/yes/on or 0/false/no/off');
}

/** A positive integer variable within [min, max]; unset or empty is null. */
export function readInt(env: Env, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const v = raw.trim();
  if (!/^\d+$/.test(v)) throw badValue(name, raw, `a whole number from ${min} to ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw badValue(name, raw, `a whole number from ${min} to ${max}`);
  return n;
}

function readString(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function readUrl(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name);
  if (raw === null) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badValue(name, raw, 'an http:// or https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badValue(name, raw, 'an http:// or https:// URL');
  // paths are appended to it: a ?query or #fragment would swallow them (and send every file's request to one URL)
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) throw badValue(name, raw, 'an http:// or https:// URL without ?query or #fragment');
  return raw.replace(/\/+$/, '');
}

/** A command line with an unclosed quote; `at` is the 1-based character where the quote opened. */
class UnclosedQuote extends Error {
  constructor(readonly quote: string, readonly at: number) {
    super(`unclosed ${quote} quote`);
  }
}

/**
 * Splits a command line as sh does for quoting: 'single' is literal, "double" keeps a backslash except before
 * a double quote, a backslash, $ or a backquote (so an inline JSON or chat template with \n survives), and outside quotes a backslash
 * escapes the next character. No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  let openedAt = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      openedAt = i + 1;
      inToken = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quote) throw new UnclosedQuote(quote, openedAt);
  if (inToken) out.push(cur);
  return out;
}

/** Splits a variable holding a command line; a bad one is exit 78 without its value (it may carry a token). */
function readArgv(env: Env, name: string, what: string): string[] | null {
  const raw = readString(env, name);
  if (raw === null) return null;
  try {
    return splitCommandLine(raw);
  } catch (e) {
    const q = e as UnclosedQuote;
    return badQuoting(name, q.quote, q.at, what);
  }
}

function badQuoting(name: string, quote: string, at: number, what: string): never {
  throw new NimletError('bad-config', `${name} has an unclosed ${quote} quote (opened at character ${at}); its value is not shown, it may hold a credential`, {
    hint: `set ${name} to ${what}: close the quote, or escape it with a backslash`,
  });
}

function readCommand(env: Env, name: string): string[] | null {
  const argv = readArgv(env, name, 'a command line with balanced quotes');
  if (argv !== null && argv.length === 0) throw badValue(name, '', 'a command line (it is empty)');
  return argv;
}

const LOG_LEVELS: Record<string, LogLevel> = {
  debug: 'debug', trace: 'debug', info: 'info', warning: 'warning', warn: 'warning', error: 'error', critical: 'error',
};

/** The default cache: /opt/nim/.cache in the image (NIM_CACHE_PATH is set there), XDG elsewhere. */
export function defaultCacheDir(env: Env): string {
  return path.join(xdgCache(env), 'nimlet');
}

const xdgCache = (env: Env): string => readString(env, 'XDG_CACHE_HOME') ?? path.join(env.HOME ?? os.homedir(), '.cache');

/**
 * NIM_MODEL_NAME=hf://… alone is NIM_MODEL_PATH (a NIM 1.x habit); with both, NIM_MODEL_NAME is the model store
 * the Hub's files land in (the NIM Operator's Universal NIM, DESIGN §13 table).
 */
function modelPlaces(env: Env): Pick<Settings, 'localModelDir' | 'modelPath' | 'hfHubCache' | 'cacheDir'> {
  const name = readString(env, 'NIM_MODEL_NAME');
  const modelPath = readString(env, 'NIM_MODEL_PATH');
  const hfHome = readString(env, 'HF_HOME') ?? path.join(env.HOME ?? os.homedir(), '.cache', 'huggingface');
  const hfHubCache = path.resolve(readString(env, 'HF_HUB_CACHE') ?? path.join(hfHome, 'hub'));
  const cacheDir = path.resolve(readString(env, 'NIM_CACHE_PATH') ?? defaultCacheDir(env));
  if (name !== null && name.startsWith('hf://')) return { localModelDir: null, modelPath: modelPath ?? name, hfHubCache, cacheDir };
  // the store is the cache there: one download, kept where the operator's PVC is
  if (name !== null && modelPath !== null && modelPath.startsWith('hf://')) return { localModelDir: null, modelPath, hfHubCache, cacheDir: path.resolve(name) };
  return { localModelDir: name, modelPath, hfHubCache, cacheDir };
}

export function readSettings(env: Env): Settings {
  const pin = readString(env, 'NIM_MODEL_PROFILE');
  const logRaw = readString(env, 'NIM_LOG_LEVEL');
  const logLevel = logRaw === null ? 'info' : LOG_LEVELS[logRaw.toLowerCase()];
  if (logLevel === undefined) throw badValue('NIM_LOG_LEVEL', logRaw ?? '', `one of ${Object.keys(LOG_LEVELS).map((l) => l.toUpperCase()).join(', ')}`);
  const passthroughArgs = readArgv(env, 'NIM_PASSTHROUGH_ARGS', 'engine arguments with balanced quotes') ?? [];
  const probeTimeoutS = readInt(env, 'NIMLET_PROBE_TIMEOUT', 1, 600);
  return {
    profilePin: pin === null || ['default', 'auto'].includes(pin.toLowerCase()) ? null : pin,
    privateDir: path.resolve(xdgCache(env), 'nimlet-private'),
    manifestFile: readString(env, 'NIMLET_MANIFEST'),
    ngcApiKey: readString(env, 'NGC_API_KEY'),
    hfToken: readString(env, 'HF_TOKEN'),
    servedModelName: readString(env, 'NIM_SERVED_MODEL_NAME'),
    serverPort: readServerPort(env),
    maxModelLen: readInt(env, 'NIM_MAX_MODEL_LEN', 1, 100_000_000),
    tensorParallelSize: readInt(env, 'NIM_TENSOR_PARALLEL_SIZE', 1, 1024),
    pipelineParallelSize: readInt(env, 'NIM_PIPELINE_PARALLEL_SIZE', 1, 1024),
    peftSource: readString(env, 'NIM_PEFT_SOURCE'),
    allowUnsafe: readFlag(env, 'NIM_MANIFEST_ALLOW_UNSAFE'),
    ...modelPlaces(env),
    // on unless turned off: unset or empty is the default, not false
    preferCached: readString(env, 'NIMLET_PREFER_CACHED') === null || readFlag(env, 'NIMLET_PREFER_CACHED'),
    offline: readFlag(env, 'HF_HUB_OFFLINE') || readFlag(env, 'NIMLET_OFFLINE') || readFlag(env, 'NIM_DISABLE_MODEL_DOWNLOAD'),
    logLevel,
    jsonLogging: readFlag(env, 'NIM_JSONL_LOGGING'),
    passthroughArgs,
    ngcEndpoint: readUrl(env, 'NIMLET_NGC_ENDPOINT', 'https://api.ngc.nvidia.com'),
    hfEndpoint: readUrl(env, 'HF_ENDPOINT', 'https://huggingface.co'),
    engineCommands: {
      vllm: readCommand(env, 'NIMLET_VLLM_CMD'),
      tensorrt_llm: readCommand(env, 'NIMLET_TRTLLM_CMD'),
      sglang: readCommand(env, 'NIMLET_SGLANG_CMD'),
    },
    engines: readEngines(env.NIMLET_ENGINES),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
    probeTimeoutMs: (probeTimeoutS ?? 10) * 1000,
    front: readFrontSettings(env),
    multiNode: readMultiNode(env, (name) => readFlag(env, name)),
    downloads: readDownloadSettings(env),
  };
}
