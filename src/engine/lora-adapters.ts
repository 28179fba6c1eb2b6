// Lists the LoRA adapters under NIM_PEFT_SOURCE. NIM's layout: one folder per adapter, named as clients will ask
// for it (`$NIM_PEFT_SOURCE/llama3-8b-sql/adapter_config.json`). Sorted, so the engine's argv is reproducible.
// Each adapter's rank (`r` in its PEFT adapter_config.json) is read too: vLLM aborts on an adapter whose rank is
// above --max-lora-rank, so the rank nimlet passes must cover them all.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import type { LoraAdapter } from './types.js';

/** `r` of an adapter's adapter_config.json; null when there is none (NeMo adapters have no such file). */
async function adapterRank(dir: string): Promise<number | null> {
  const file = path.join(dir, 'adapter_config.json');
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  let r: unknown;
  try {
    r = (JSON.parse(text) as { r?: unknown }).r;
  } catch (e) {
    throw new NimletError('manifest-invalid', `${file} is not JSON: ${(e as Error).message}`, {
      hint: 'fix or remove that adapter from NIM_PEFT_SOURCE',
    });
  }
  if (r === undefined) return null;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) {
    throw new NimletError('manifest-invalid', `${file}: "r" is ${JSON.stringify(r)}, not a LoRA rank (a whole number ≥ 1)`, {
      hint: 'fix or remove that adapter from NIM_PEFT_SOURCE',
    });
  }
  return r;
}

export async function listLoraAdapters(peftSource: string, cwd: string): Promise<LoraAdapter[]> {
  const dir = path.resolve(cwd, peftSource);
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) {
    throw new NimletError('not-found', `NIM_PEFT_SOURCE=${JSON.stringify(peftSource)} is not a folder`, {
      hint: 'set NIM_PEFT_SOURCE to a folder holding one sub-folder per LoRA adapter, or unset it',
    });
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, path: path.join(dir, e.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(folders.map(async (f) => ({ ...f, rank: await adapterRank(f.path) })));
}
