// Plain-data builders for engine tests: a profile, a selection, settings from an environment.
import { readSettings, type Settings } from '../../src/config/env.js';
import type { Engine, Profile } from '../../src/manifest/types.js';
import type { Selection } from '../../src/select/types.js';

export function makeProfile(engine: Engine, over: Partial<Profile> = {}): Profile {
  return {
    id: 'a'.repeat(64),
    name: `${engine}-bf16-tp1`,
    tags: { llm_engine: engine, precision: 'bf16', tp: '1' },
    engine,
    precision: 'bf16',
    tp: 1,
    pp: null,
    numberOfGpus: null,
    gpu: null,
    gpuDevice: null,
    optimization: null,
    lora: false,
    files: [],
    requirements: { minGpuMemoryMiB: null, minDriver: null, minComputeCapability: null },
    engineSettings: { args: [], env: {} },
    location: { file: '/m/model_manifest.yaml', line: 1 },
    ...over,
  };
}

export function makeSelection(profile: Profile, over: Partial<Selection> = {}): Selection {
  return {
    profile,
    status: 'runnable',
    reasons: [],
    gpus: [0],
    deviceUuids: ['GPU-0000'],
    cudaDevices: ['0'],
    tp: 1,
    pp: 1,
    why: ['only runnable profile'],
    ...over,
  };
}

export function settingsFrom(env: Record<string, string>): Settings {
  return readSettings({ HOME: '/home/u', ...env });
}
