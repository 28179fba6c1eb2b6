// docker/nim-command, as the NIM Operator's NIMCache Job calls it in the image: the model-free forms
// (Universal NIM, issue 16) are refused in one line with a hint and exit 64, before nimlet is ever started.
// Run from a link named as in the image, as a real process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../docker/nim-command');
const dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-nim-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function call(name: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const link = path.join(dir, name);
  try { symlinkSync(script, link); } catch { /* made by an earlier case */ }
  return new Promise((resolve) => {
    execFile(link, args, (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }));
  });
}

describe('docker/nim-command', () => {
  it.each([
    ['download-to-cache', ['--model-uri', 'hf://org/model', '--manifest-file', '/model-store/m.yaml'], 'download-to-cache --model-uri'],
    ['create-model-store', ['--model-repo=ngc://org/model:1', '--model-store', '/model-store'], 'create-model-store --model-repo'],
    ['huggingface-cli', ['download', 'org/model', '--local-dir', '/model-store'], 'huggingface-cli'],
  ])('%s refuses the model-free form: exit 64, one line and a hint', async (name, args, what) => {
    const r = await call(name, args);
    expect(r.code).toBe(64);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^nimlet: ${what.replace(/[-/]/g, '\\$&')}.* is not supported by this image yet`));
    expect(lines[1]).toMatch(/^hint: .*--profiles/);
  });
});
