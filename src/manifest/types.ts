// The normal form every manifest layout is read into: what selection, the cache and the engine runner see.
// Layout-specific shapes live in the layout parsers (zod schemas); nothing downstream knows which layout it was.

export const ENGINES = ['tensorrt_llm', 'vllm', 'sglang'] as const;
export type Engine = (typeof ENGINES)[number];

/** Where a profile was defined, for messages that point at the manifest. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** One file of a profile's workspace. */
export interface WorkspaceFile {
  /** Relative path inside the profile's workspace (POSIX separators, never absolute, never `..`). */
  path: string;
  /** Where to fetch it: ngc://, hf://, https://, http://, file:// or a path relative to the manifest's folder. */
  uri: string;
  /** Lower-case hex sha256 when the manifest states it. */
  sha256: string | null;
  /** Size in bytes when the manifest states it. */
  size: number | null;
  /** A tar or tar.gz to unpack at `path` (a folder) instead of storing the archive. */
  extract: boolean;
}

/** nimlet's own per-profile requirements (schema 2 additions); null when not stated. */
export interface Requirements {
  minGpuMemoryMiB: number | null;
  minDriver: string | null;
  minComputeCapability: string | null;
}

/** nimlet's own per-profile engine settings (schema 2 additions). */
export interface EngineSettings {
  args: string[];
  env: Record<string, string>;
}

/** A generated profile's model (DESIGN §13), from its config.json: what the memory estimate needs. */
export interface ModelShape {
  /** The checkpoint's weights: the sum of its safetensors files. */
  weightBytes: number;
  layers: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number;
  /** Bytes of one KV-cache value (2 for bf16/fp16). */
  kvBytesPerValue: number;
  /** The model's own context (max_position_embeddings). */
  maxContext: number;
}

export interface Profile {
  /** 64-hex id (legacy non-LLM manifests may use other ids). */
  id: string;
  /** The NIM-style name built from the tags (see names.ts). */
  name: string;
  /** Every tag, values as strings, kept as written. */
  tags: Record<string, string>;
  /** `llm_engine` when it is one of the three; null when absent (a non-LLM profile). */
  engine: Engine | null;
  precision: string | null;
  /** `tp` tag; null when absent (NIM_TENSOR_PARALLEL_SIZE may then set it). */
  tp: number | null;
  pp: number | null;
  /** `number_of_gpus` tag, when given it is the GPU count. */
  numberOfGpus: number | null;
  /** `gpu` tag, upper-case family as NIM writes it: H100, H100_NVL, A10G, L40S. */
  gpu: string | null;
  /** `gpu_device` tag, lower-case `device:vendor` such as 2330:10de. */
  gpuDevice: string | null;
  /** `profile` tag: latency | throughput | other strings kept as written. */
  optimization: string | null;
  lora: boolean;
  files: WorkspaceFile[];
  requirements: Requirements;
  engineSettings: EngineSettings;
  location: SourceLocation;
  /** Known for profiles built from a model's config.json: selection then estimates memory (DESIGN §13). */
  model?: ModelShape;
}

export type ManifestLayout = 'nim-1.x' | 'schema-2' | 'legacy-list';

export interface Manifest {
  /** Absolute path of the manifest file. */
  file: string;
  /** Folder relative source paths resolve against. */
  dir: string;
  layout: ManifestLayout;
  profiles: Profile[];
  /** Problems that do not stop loading (a source URI nimlet cannot fetch), each `file:line: path: message`. */
  warnings: string[];
  /** Schema 2's `profile_selection_criteria`, kept as written (nimlet's ranking does not read it). */
  profileSelectionCriteria?: unknown;
  /** Set when nimlet built the manifest from a model (DESIGN §13): `hf://org/model:commit` or the folder. */
  generatedFrom?: string;
}
