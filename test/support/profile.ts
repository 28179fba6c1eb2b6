// Plain-data builders: a profile (through the manifest reader's own buildProfile), a selection, settings.
import { createHash } from 'node:crypto';
import { readSettings, type Settings } from '../../src/config/env.js';
import { buildProfile, NO_REQUIREMENTS } from '../../src/manifest/profile.js';
import type { Engine, Profile, Requirements } from '../../src/manifest/types.js';
import type { Selection } from '../../src/select/types.js';

/**
 * A profile as the manifest reader builds it (the real buildProfile), with `over` laid on top: tags given in `over`
 * replace the default ones without deriving the fields again, so a test can build a profile no manifest could.
 */
export function makeProfile(engine: Engine, over: Partial<Profile> = {}): Profile {
  const built = buildProfile({
    id: 'a'.repeat(64),
    tags: { llm_engine: engine, precision: 'bf16', tp: '1' },
    files: [],
    location: { file: '/m/model_manifest.yaml', line: 1 },
  });
  return { ...built, ...over };
}

/**
 * A profile from its tags alone, every field derived by buildProfile (the id: the sha256 of the tags), with `more`
 * laid on top; `more.requirements` adds to none.
 */
export function profileFromTags(tags: Record<string, string>, more: Partial<Omit<Profile, 'requirements'>> & { requirements?: Partial<Requirements> } = {}): Profile {
  const built = buildProfile({ id: idOfTags(tags), tags, files: [], location: { file: 'model_manifest.yaml', line: 1 } });
  return { ...built, ...more, requirements: { ...NO_REQUIREMENTS, ...more.requirements } };
}

const idOfTags = (tags: Record<string, string>): string => createHash('sha256').update(JSON.stringify(tags)).digest('hex');

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
  return readSettings({ HOME: '/home/u', ...env }, '/');
}
