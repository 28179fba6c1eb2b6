// The environment variables `nimlet --help` lists (the README's two tables, in one line each): a NIM user
// configures nimlet by environment first, so the help must say what it reads. test/cli/help.test.ts holds this
// list to the README's tables.
const NIM: ReadonlyArray<readonly [string, string]> = [
  ['NIM_MODEL_PROFILE', 'pin a profile: id, id prefix (>= 8), name, the listed `id (name)` line; default/auto'],
  ['NIM_CACHE_PATH', 'the cache folder'],
  ['NGC_API_KEY, HF_TOKEN', 'credentials for ngc:// and hf:// sources'],
  ['NIM_SERVED_MODEL_NAME', 'the model name the engine serves under'],
  ['NIM_SERVER_PORT, NIM_HTTP_API_PORT', 'the port to serve on (8000); both set: the same port'],
  ['NIM_MAX_MODEL_LEN', 'maximum context length'],
  ['NIM_TENSOR_PARALLEL_SIZE', 'tp for profiles without a tp tag (multi-node: the tp a profile must have)'],
  ['NIM_PIPELINE_PARALLEL_SIZE', 'pp for profiles without a pp tag (multi-node: the pp a profile must have)'],
  ['NIM_MULTI_NODE, NIM_NUM_COMPUTE_NODES, NIM_NODE_RANK, NIM_LEADER_ROLE', 'one model over a group of nodes: on, size, rank, 1 on the leader'],
  ['LWS_LEADER_ADDRESS, LWS_GROUP_SIZE, LWS_WORKER_INDEX', "LeaderWorkerSet's: the leader's address, size and rank"],
  ['NIM_PEFT_SOURCE', 'LoRA adapters folder (only LoRA profiles are eligible)'],
  ['NIM_MANIFEST_ALLOW_UNSAFE', '1: run a pinned profile even when incompatible'],
  ['NIM_MODEL_NAME', 'a local model folder (create-model-store, or Hugging Face layout): no download'],
  ['NIM_MODEL_PATH', 'hf://org/model[:revision]: any model, profiles built from its config.json'],
  ['HF_HUB_CACHE, HF_HOME', 'a Hugging Face cache on disk: verified, never fetched again'],
  ['NIM_DISABLE_MODEL_DOWNLOAD, HF_HUB_OFFLINE', '1: never download'],
  ['NIM_REPOSITORY_OVERRIDE', 'a mirror for ngc:// sources'],
  ['NIM_LOG_LEVEL', 'DEBUG, TRACE, INFO, WARNING, WARN, ERROR, CRITICAL'],
  ['NIM_JSONL_LOGGING', '1: JSON lines on stderr'],
  ['NIM_PASSTHROUGH_ARGS', 'extra engine arguments'],
  ['HF_ENDPOINT', 'Hugging Face endpoint'],
  ['HTTPS_PROXY, HTTP_PROXY, NO_PROXY', 'proxies for downloads'],
  ['CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES', 'the GPUs that count'],
  ['NO_COLOR', 'no colour'],
  ['NIM_SSL_MODE, NIM_SSL_CERTS_PATH, NIM_SSL_KEY_PATH, NIM_SSL_CA_CERTS_PATH', 'DISABLED, TLS or MTLS, and its PEM files'],
  ['NIM_CORS_ALLOW_ORIGINS, NIM_CORS_ALLOW_METHODS, NIM_CORS_ALLOW_HEADERS, NIM_CORS_EXPOSE_HEADERS, NIM_CORS_MAX_AGE', 'CORS (on when origins are set)'],
];

const OWN: ReadonlyArray<readonly [string, string]> = [
  ['NIMLET_MANIFEST', 'the model manifest'],
  ['NIMLET_NGC_ENDPOINT', 'NGC API endpoint'],
  ['NIMLET_VLLM_CMD, NIMLET_TRTLLM_CMD, NIMLET_SGLANG_CMD', "the command that starts each engine"],
  ['NIMLET_ENGINES', 'the engines this image has (vllm,tensorrt_llm,sglang[@version]); unset: detected'],
  ['NIMLET_OFFLINE', '1: never download'],
  ['NIMLET_PREFER_CACHED', '0: no preference for profiles download-to-cache --profiles cached on purpose (1)'],
  ['NIMLET_PROBE_TIMEOUT', 'seconds before a hung nvidia-smi is killed (10)'],
  ['NIMLET_RETRY_ATTEMPTS, NIMLET_RETRY_BASE_MS, NIMLET_RETRY_MAX_MS, NIMLET_RETRY_AFTER_MAX_MS', 'download retries'],
  ['NIMLET_HTTP_TIMEOUT_MS', 'a silent download connection is dropped and resumed after this'],
  ['NIMLET_DOWNLOAD_CONNECTIONS', 'ranged connections per file of 16 MiB or more (16; 1: one stream)'],
  ['NIMLET_MAX_CONNECTIONS', 'connections across all files downloading at once (16)'],
  ['NIMLET_DOCTOR_TIMEOUT_MS', "how long doctor waits for each endpoint (ms)"],
  ['NIMLET_FRONT', 'off: no HTTP front, the engine owns the port (on by default)'],
  ['NIMLET_ENGINE_PORT', "the engine's loopback port behind the front (0: a free one)"],
  ['NIMLET_DRAIN_DELAY_MS, NIMLET_DRAIN_TIMEOUT_MS, NIMLET_ENGINE_KILL_AFTER_MS', 'shutdown: serve on (5000), wait for in-flight (15000), then SIGKILL after (8000)'],
  ['NIMLET_HEALTH_POLL_MS', "how often the engine's /health is asked (1000)"],
  ['NIMLET_LEADER_TIMEOUT', "multi-node: seconds a worker waits for the leader's profile (CLUSTER_START_TIMEOUT, else 300)"],
];

function block(title: string, rows: ReadonlyArray<readonly [string, string]>): string[] {
  return [title, ...rows.flatMap(([names, meaning]) => [`  ${names}`, `      ${meaning}`])];
}

/** The text after the commands in `nimlet --help`. */
export function environmentHelp(): string {
  return ['', ...block('Environment (NIM-compatible):', NIM), '', ...block("Environment (nimlet's own):", OWN),
    '', 'A bad value exits 78 naming the variable. See the README for each in full.'].join('\n');
}
