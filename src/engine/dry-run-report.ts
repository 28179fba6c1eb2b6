// What `serve --dry-run` prints: the JSON shape of DESIGN §1 (`--json`), or the same facts as text. Pure.
// The environment shown is only what nimlet changes, and never a credential; known token strings are redacted
// wherever they appear (a user may have pasted one into NIM_PASSTHROUGH_ARGS).
import type { Profile } from '../manifest/types.js';
import type { Selection } from '../select/types.js';
import { formatCommandLine, redactText } from '../log/redact.js';
import { changedVariables } from './environment.js';
import type { ModelDirResult } from '../cache/model-dir.js';
import type { EngineCommand } from './types.js';

export interface DryRunInput {
  profile: Profile;
  selection: Selection;
  model: ModelDirResult;
  command: EngineCommand;
  parentEnv: Readonly<Record<string, string | undefined>>;
  secrets: readonly string[];
}

export function formatDryRun(input: DryRunInput, json: boolean): string {
  const { profile, selection, model, command, secrets } = input;
  const env = changedVariables(input.parentEnv, command.env);
  const { files, bytes, cached, unknownSizeFiles } = model.download;
  // DESIGN §1's shape, plus unknownSizeFiles: `bytes` counts only sizes known before the first byte
  const download = { files, bytes, cached, unknownSizeFiles };
  if (json) {
    const out = {
      profile: { id: profile.id, name: profile.name, tags: profile.tags },
      gpus: selection.gpus,
      argv: command.argv,
      env,
      modelDir: model.modelDir,
      download,
    };
    return redactText(JSON.stringify(out, null, 2), secrets) + '\n';
  }
  const lines = [
    `profile: ${profile.id} (${profile.name})`,
    ...selection.why.map((w) => `  why: ${w}`),
    `GPUs: ${selection.gpus.join(', ')}`,
    `model: ${model.modelDir}${model.source === 'local' ? ' (NIM_MODEL_NAME)' : ''}`,
    `download: ${files} files, ${cached} cached, ${bytes} bytes to fetch${unknownSizeFiles > 0 ? ` + ${unknownSizeFiles} file(s) of unknown size` : ''}`,
    ...Object.entries(env).map(([k, v]) => `env: ${k}=${v}`),
    `command: ${formatCommandLine(command.argv, secrets)}`,
  ];
  return redactText(lines.join('\n'), secrets) + '\n';
}
