// Builds the normal form (types.ts) from what any layout read: the tags interpreted once, here, so selection,
// the cache and the engine runner never look at raw tag text.
import { isLoraTags, profileName } from './names.js';
import { ENGINES, type Engine, type EngineSettings, type ModelShape, type Profile, type Requirements, type SourceLocation, type WorkspaceFile } from './types.js';

export const NO_REQUIREMENTS: Requirements = { minGpuMemoryMiB: null, minDriver: null, minComputeCapability: null };

function intTag(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

function textTag(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export interface ProfileParts {
  id: string;
  tags: Record<string, string>;
  files: WorkspaceFile[];
  location: SourceLocation;
  requirements?: Requirements;
  engineSettings?: EngineSettings;
  model?: ModelShape;
}

export function buildProfile(parts: ProfileParts): Profile {
  const { tags } = parts;
  const engine = tags.llm_engine?.trim();
  return {
    id: parts.id,
    name: profileName(tags),
    tags,
    engine: engine !== undefined && (ENGINES as readonly string[]).includes(engine) ? (engine as Engine) : null,
    precision: textTag(tags.precision),
    tp: intTag(tags.tp),
    pp: intTag(tags.pp),
    numberOfGpus: intTag(tags.number_of_gpus),
    gpu: textTag(tags.gpu)?.toUpperCase() ?? null,
    gpuDevice: textTag(tags.gpu_device)?.toLowerCase() ?? null,
    optimization: textTag(tags.profile),
    lora: isLoraTags(tags),
    files: parts.files,
    requirements: parts.requirements ?? { ...NO_REQUIREMENTS },
    engineSettings: parts.engineSettings ?? { args: [], env: {} },
    location: parts.location,
    ...(parts.model ? { model: parts.model } : {}),
  };
}
