// Reads nimlet's environment (DESIGN §2) into typed settings. A bad value is an error naming the variable
// (exit 78), never a silent default. Pure: takes the environment as an argument.
import path from 'node:path';
import os from 'node:os';
import { badValue, readFlag, readInt, readString, readUrl, type Env } from './read.js';
import { readArgv, readCommand } from './command-line.js';
import { readFrontSettings, readServerPort, type FrontSettings } from './front.js';
import { readEngines, type EngineDeclaration } from './engines.js';
import { readMultiNode, type MultiNodeSettings } from './multi-node.js';
import { readDownloadSettings, type DownloadSettings } from './downloads.js';
import { readGpuVisibility, type GpuVisibility } from './visible-devices.js';

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
  /** NVIDIA_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES: which GPUs count (DESIGN §5). */
  gpuVisibility: GpuVisibility;
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
function modelPlaces(env: Env, cwd: string): Pick<Settings, 'localModelDir' | 'modelPath' | 'hfHubCache' | 'cacheDir'> {
  const name = readString(env, 'NIM_MODEL_NAME');
  const modelPath = readString(env, 'NIM_MODEL_PATH');
  const hfHome = readString(env, 'HF_HOME') ?? path.join(env.HOME ?? os.homedir(), '.cache', 'huggingface');
  const hfHubCache = path.resolve(cwd, readString(env, 'HF_HUB_CACHE') ?? path.join(hfHome, 'hub'));
  const cacheDir = path.resolve(cwd, readString(env, 'NIM_CACHE_PATH') ?? defaultCacheDir(env));
  if (name !== null && name.startsWith('hf://')) return { localModelDir: null, modelPath: modelPath ?? name, hfHubCache, cacheDir };
  // the store is the cache there: one download, kept where the operator's PVC is
  if (name !== null && modelPath !== null && modelPath.startsWith('hf://')) return { localModelDir: null, modelPath, hfHubCache, cacheDir: path.resolve(cwd, name) };
  return { localModelDir: name, modelPath, hfHubCache, cacheDir };
}

/**
 * NIMLET_DOCTOR_TIMEOUT_MS: how long each endpoint gets to answer `doctor`, else 3 s (enough for a healthy network;
 * a slow proxy or a loaded host may need more). Read by doctor alone, so a bad value fails no other command.
 */
export function readDoctorTimeoutMs(env: Env): number {
  return readInt(env, 'NIMLET_DOCTOR_TIMEOUT_MS', 100, 600_000) ?? 3000;
}

/** The settings in `env`; a relative path in it is taken from `cwd`, the command's working folder (ctx.cwd). */
export function readSettings(env: Env, cwd: string): Settings {
  const pin = readString(env, 'NIM_MODEL_PROFILE');
  const logRaw = readString(env, 'NIM_LOG_LEVEL');
  const logLevel = logRaw === null ? 'info' : LOG_LEVELS[logRaw.toLowerCase()];
  if (logLevel === undefined) throw badValue('NIM_LOG_LEVEL', logRaw ?? '', `one of ${Object.keys(LOG_LEVELS).map((l) => l.toUpperCase()).join(', ')}`);
  const passthroughArgs = readArgv(env, 'NIM_PASSTHROUGH_ARGS', 'engine arguments with balanced quotes') ?? [];
  const probeTimeoutS = readInt(env, 'NIMLET_PROBE_TIMEOUT', 1, 600);
  return {
    profilePin: pin === null || ['default', 'auto'].includes(pin.toLowerCase()) ? null : pin,
    privateDir: path.resolve(cwd, xdgCache(env), 'nimlet-private'),
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
    ...modelPlaces(env, cwd),
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
    multiNode: readMultiNode(env),
    downloads: readDownloadSettings(env),
    // last: where several variables are bad, the others are named first, as before
    gpuVisibility: readGpuVisibility(env),
  };
}
