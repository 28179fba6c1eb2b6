// The README's quick start runs as written on a fresh clone (issue 13 item 1): every fenced block marked
// `sh runnable` in README.md and docs/*.md is run command by command with bash from the repository root, against
// the project's stand-in nvidia-smi (8 × H100), a local Hugging Face stand-in (HF_ENDPOINT) and a stand-in `vllm`
// on PATH. HOME and the cache are a temporary folder, so `~/…` in a command lands there.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesBody, hfFilePath, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { freePort } from '../front/front-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The commands of every `sh runnable` block of a Markdown file: comments and blank lines dropped, `\` joined. */
export function runnableCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  let pending = '';
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) {
      inBlock = !inBlock && /^```(sh|bash) runnable\s*$/.test(line);
      continue;
    }
    if (!inBlock || (pending === '' && (line.trim() === '' || line.trim().startsWith('#')))) continue;
    pending += line.replace(/\\$/, '');
    if (!line.endsWith('\\')) {
      commands.push(pending.trim());
      pending = '';
    }
  }
  return commands;
}

const documents = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

let work: string;
let srv: ArtifactServer;
let env: Record<string, string>;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'nimlet-readme-'));
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(work, 'home'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync(path.join(ROOT, 'test/fixtures/nvidia-smi/nvidia-smi'), path.join(bin, 'nvidia-smi'));
  symlinkSync(path.join(ROOT, 'test/fixtures/engines/fake-engine'), path.join(bin, 'vllm'));
  srv = await startArtifactServer();
  // The files the example manifest fetches from the Hub, small stand-ins with the Hub's X-Linked-Etag checksum.
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors', 'LICENSE']) {
    srv.add(hfFilePath({ org: 'Qwen', repo: 'Qwen2.5-0.5B-Instruct', revision: 'main', file }), bytesBody(`stand-in ${file}\n`), { linkedEtag: 'auto' });
  }
  env = {
    PATH: `${bin}:/usr/bin:/bin`, HOME: path.join(work, 'home'), NO_COLOR: '1', NIM_CACHE_PATH: path.join(work, 'cache'),
    NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8', NIMLET_PROBE_TIMEOUT: '60', HF_ENDPOINT: srv.url,
    FAKE_ENGINE_MODE: 'exit', FAKE_ENGINE_RECORD: path.join(work, 'engine.jsonl'),
    // serve's front listens on NIM_SERVER_PORT (8000 by default), which another process on this machine may hold
    NIM_SERVER_PORT: String(await freePort()),
  };
});
afterAll(async () => {
  await srv?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sh = (command: string, extra: Record<string, string> = {}) =>
  execa('bash', ['-c', command], { cwd: ROOT, env: { ...env, ...extra }, extendEnv: false, reject: false, all: true, timeout: 55_000 });

describe('runnable blocks', () => {
  it('the README has a runnable quick start', () => {
    const commands = runnableCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(commands.length).toBeGreaterThanOrEqual(9);
    expect(commands).toContain('NIM_MODEL_NAME=~/models/qwen2.5-0.5b bin/nimlet serve');
  });

  it.each(documents)('%s: every command of its runnable blocks exits 0', async (doc) => {
    for (const command of runnableCommands(readFileSync(path.join(ROOT, doc), 'utf8'))) {
      const before = srv.requests().length;
      const r = await sh(command);
      expect({ command, exitCode: r.exitCode, output: r.exitCode === 0 ? '' : r.all }).toEqual({ command, exitCode: 0, output: '' });
      // serving from a model store reads it in place: no request at all
      if (command.startsWith('NIM_MODEL_NAME=')) expect(srv.requests().length).toBe(before);
    }
  }, 180_000);
});

describe('a model store made by the quick start', () => {
  const store = () => path.join(work, 'home/models/qwen2.5-0.5b');

  it('records its profile in .nimlet/profile.json, and the engine ran on the store', () => {
    if (!existsSync(store())) throw new Error('the README run above made no store');
    const record = JSON.parse(readFileSync(path.join(store(), '.nimlet/profile.json'), 'utf8')) as { id: string; name: string; files: Array<{ path: string }> };
    expect([record.id, record.name]).toEqual(['5c1f0e6a9b3d4e2f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f', 'vllm-bf16-tp1']);
    expect(record.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'chat_template.jinja', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const starts = readFileSync(env.FAKE_ENGINE_RECORD!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[] });
    expect(starts.at(-1)?.args.slice(0, 2)).toEqual(['serve', store()]);
  });

  it('NIM_MODEL_NAME=store with a pin of the same profile: exit 0; of another profile: 78 naming both', async () => {
    const same = await sh(`NIM_MODEL_PROFILE=vllm-bf16-tp1 NIM_MODEL_NAME=${store()} bin/nimlet serve --dry-run --json`);
    expect(same.exitCode).toBe(0);
    const other = await sh(`NIM_MODEL_NAME=${store()} bin/nimlet serve --manifest manifests/example.schema2.yaml --profile sglang-fp16-tp1`);
    expect(other.exitCode).toBe(78);
    expect(other.all).toContain(`nimlet: --profile="sglang-fp16-tp1" names 8e4b2d6f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b (sglang-fp16-tp1), but the model store ${store()} (NIM_MODEL_NAME) holds 5c1f0e6a9b3d4e2f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f (vllm-bf16-tp1)`);
    const unknown = await sh(`NIM_MODEL_PROFILE=sglang-fp16-tp1 NIM_MODEL_NAME=${store()} bin/nimlet serve`);
    expect(unknown.exitCode).toBe(78);
  });
});
