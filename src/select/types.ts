// The selection core's inputs and outputs (DESIGN §4, §6). The core is pure: (profiles, inventory, request) in,
// evaluations out, no I/O.
import type { Engine, Profile } from '../manifest/types.js';

/** The engines this image or host has (DESIGN §8), learnt by the shell before selection and passed in as data. */
export interface EnginesPresent {
  /** Engines found; empty when none was (a laptop): every profile is then judged as if its engine were there. */
  found: readonly Engine[];
  /** Versions where known (declared as name@version, or read cheaply from the installed package). */
  versions: Partial<Record<Engine, string>>;
  /** Declared by NIMLET_ENGINES, or detected on PATH and by python3. */
  source: 'NIMLET_ENGINES' | 'detected';
}

export interface SelectRequest {
  /** NIM_MODEL_PROFILE / --profile, already stripped of `default`/`auto`; null for automatic. */
  pin: string | null;
  /** Where the pin came from, as messages name it: `NIM_MODEL_PROFILE` (the default) or `--profile`. */
  pinSource?: string;
  /** NIM_PEFT_SOURCE set: only LoRA profiles are eligible. */
  lora: boolean;
  /** NIM_MANIFEST_ALLOW_UNSAFE: a pinned profile runs even when incompatible. */
  allowUnsafe: boolean;
  /** NIM_TENSOR_PARALLEL_SIZE: the tp of profiles that have no `tp` tag. */
  tensorParallelSize: number | null;
  /** NIM_MAX_MODEL_LEN: the context the memory estimate counts; null or absent: the model's own, shortened to fit. */
  maxModelLen?: number | null;
  /** NIM_PIPELINE_PARALLEL_SIZE: the pp of untagged profiles; with multi-node, the pp a tagged one must have. */
  pipelineParallelSize?: number | null;
  /** NIM_MULTI_NODE: the group this node is one of (DESIGN §14); absent or null on a single node. */
  multiNode?: { nodes: number } | null;
  /**
   * Ids of profiles put into the cache on purpose (download-to-cache --profiles, create-model-store) and complete
   * there, found by the shell before selecting (DESIGN §6); absent or empty: none. Empty too under NIMLET_PREFER_CACHED=0.
   */
  cachedOnPurpose?: readonly string[];
  /** The engines present; absent (tests of the ranking alone): every engine counts as present. */
  engines?: EnginesPresent;
}

export type ProfileStatus = 'runnable' | 'low-memory' | 'incompatible';

export interface Evaluation {
  profile: Profile;
  status: ProfileStatus;
  /** Why it is not runnable (each filter that rejected it), or why it fits (for --explain on runnable ones). */
  reasons: string[];
  /** nvidia-smi indices the engine would get, in order; empty when incompatible. */
  gpus: number[];
  /** What CUDA_VISIBLE_DEVICES gets: GPU-… UUIDs, or the MIG-… UUID for a MIG device. */
  deviceUuids: string[];
  /**
   * What the engine's CUDA_VISIBLE_DEVICES gets (with CUDA_DEVICE_ORDER=PCI_BUS_ID): whole GPUs as nvidia-smi
   * indices, a MIG device as its MIG-… UUID (for vLLM: `0`, the one device the container exposes).
   */
  cudaDevices: string[];
  /** The tensor-parallel size the engine runs with (tp tag, else NIM_TENSOR_PARALLEL_SIZE, else 1). */
  tp: number;
  pp: number;
  /** Across a group: "multi-node: 2 nodes × 8 GPUs" (the listing shows it); absent on a single node. */
  multiNode?: string;
  /**
   * Why the engine could not be started on these GPUs although the profile fits them (vLLM on one MIG device of
   * several, DESIGN §8): the ranking and the listing keep the profile, `serve` refuses it with this (69).
   */
  launchBlocker?: string;
  /** The context the engine runs with when the model's own did not fit and NIM_MAX_MODEL_LEN was unset (DESIGN §13). */
  context?: number;
}

/** What `select` prints and `serve` runs. */
export interface Selection extends Evaluation {
  /** Why this one: the pin, or the ranking keys that put it first. */
  why: string[];
}
