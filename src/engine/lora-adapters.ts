// Lists the LoRA adapters under NIM_PEFT_SOURCE. NIM's layout: one folder per adapter, named as clients will ask
// for it (`$NIM_PEFT_SOURCE/llama3-8b-sql/adapter_config.json`). Sorted, so the engine's argv is reproducible.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import type { LoraAdapter } from './types.js';

export async function listLoraAdapters(peftSource: string, cwd: string): Promise<LoraAdapter[]> {
  const dir = path.resolve(cwd, peftSource);
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) {
    throw new NimletError('not-found', `NIM_PEFT_SOURCE=${JSON.stringify(peftSource)} is not a folder`, {
      hint: 'set NIM_PEFT_SOURCE to a folder holding one sub-folder per LoRA adapter, or unset it',
    });
  }
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, path: path.join(dir, e.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
