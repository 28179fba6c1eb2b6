// Profiles built from a checkpoint (DESIGN §13): every engine × tp (powers of two that divide the attention heads,
// up to 8: prepare-selection keeps those the GPUs of one model can hold) × the checkpoint's own precision, in the
// manifest normal form the selection, cache and engine already take — and as a schema-2 manifest for
// `nimlet manifest generate`, which loads back into the same profiles (same ids). Pure.
import { computeProfileId, type FileEntry } from '../manifest/ids.js';
import { buildProfile } from '../manifest/profile.js';
import { ENGINES, type Manifest, type ModelShape, type Profile, type WorkspaceFile } from '../manifest/types.js';
import type { Checkpoint } from './checkpoint.js';
import { checkpointPrecision, modelShape, textConfig } from './model-config.js';

export const MAX_GENERATED_TP = 8;

/** Powers of two up to MAX_GENERATED_TP dividing the attention heads (vLLM, SGLang and TRT-LLM all require it). */
export function tpChoices(attentionHeads: number): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= MAX_GENERATED_TP; tp *= 2) if (attentionHeads % tp === 0) out.push(tp);
  return out;
}

interface Generated {
  tags: Record<string, string>;
  written: Record<string, FileEntry>;
  files: WorkspaceFile[];
  model: ModelShape;
}

function generatedProfiles(cp: Checkpoint): Generated[] {
  const weightBytes = cp.files.filter((f) => f.path.endsWith('.safetensors')).reduce((n, f) => n + f.size, 0);
  const model = modelShape(cp.config, weightBytes, cp.repo);
  const precision = checkpointPrecision(cp.config);
  const written: Record<string, FileEntry> = {};
  const files: WorkspaceFile[] = cp.files.map((f) => {
    written[f.path] = { uri: f.uri, ...(f.sha256 === null ? {} : { sha256: f.sha256 }), size: f.size };
    return { path: f.path, uri: f.uri, sha256: f.sha256, size: f.size, extract: false };
  });
  const out: Generated[] = [];
  for (const engine of ENGINES) {
    for (const tp of tpChoices(textConfig(cp.config).num_attention_heads as number)) {
      const tags = { llm_engine: engine, precision, tp: String(tp), pp: '1', model: cp.repo, ...(cp.commit === null ? {} : { commit: cp.commit }) };
      out.push({ tags, written, files, model });
    }
  }
  return out;
}

/** Where the generated manifest says it came from, for messages and the listing. */
export function checkpointLabel(cp: Checkpoint): string {
  return cp.commit === null ? cp.repo : `hf://${cp.repo}:${cp.commit}`;
}

export function checkpointManifest(cp: Checkpoint): Manifest {
  const file = cp.localDir ?? checkpointLabel(cp);
  const profiles: Profile[] = generatedProfiles(cp).map((g, i) => buildProfile({
    id: computeProfileId(g.tags, g.written),
    tags: g.tags,
    files: g.files,
    location: { file, line: i + 1 },
    model: g.model,
  }));
  return { file, dir: cp.localDir ?? '/', layout: 'schema-2', profiles, warnings: [], generatedFrom: checkpointLabel(cp) };
}

/** The schema-2 manifest (JSON is YAML) of the same profiles: reviewable, pinnable, loadable with --manifest. */
export function checkpointManifestText(cp: Checkpoint): string {
  const profiles = generatedProfiles(cp).map((g) => ({
    id: computeProfileId(g.tags, g.written),
    tags: g.tags,
    workspace: { files: g.written },
    model: {
      weight_bytes: g.model.weightBytes, layers: g.model.layers, attention_heads: g.model.attentionHeads, kv_heads: g.model.kvHeads,
      head_dim: g.model.headDim, kv_bytes_per_value: g.model.kvBytesPerValue, max_context: g.model.maxContext,
    },
  }));
  return JSON.stringify({ schema_version: '2.0.0', profiles }, null, 2) + '\n';
}
