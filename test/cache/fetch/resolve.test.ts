import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config/env.js';
import { resolveSource } from '../../../src/cache/fetch/resolve.js';
import { sourceFileName } from '../../../src/cache/fetch/fetch-file.js';
import type { ParsedSource } from '../../../src/manifest/source-uri.js';

const settings = (env: Record<string, string> = {}) => readSettings({ HOME: '/tmp', ...env }, '/');
const ngc = (team: string | null, file = 'config.json'): ParsedSource =>
  ({ kind: 'ngc', org: 'nim', team, model: 'llama-3.1-8b-instruct', version: 'hf-1.0', file });

describe('resolveSource', () => {
  it.each<[string, ParsedSource, Record<string, string>, unknown]>([
    ['ngc with team', ngc('meta'), {}, { kind: 'http', credential: 'NGC_API_KEY',
      url: 'https://api.ngc.nvidia.com/v2/org/nim/team/meta/models/llama-3.1-8b-instruct/versions/hf-1.0/files/config.json' }],
    ['ngc without team, nested file, own endpoint', ngc(null, 'a b/c.json'), { NIMLET_NGC_ENDPOINT: 'http://127.0.0.1:9/' }, {
      kind: 'http', credential: 'NGC_API_KEY', url: 'http://127.0.0.1:9/v2/org/nim/models/llama-3.1-8b-instruct/versions/hf-1.0/files/a%20b/c.json' }],
    ['hf', { kind: 'hf', org: 'meta-llama', repo: 'Llama-3.1-8B', revision: 'main', file: 'sub/model.safetensors' }, {},
      { kind: 'http', credential: 'HF_TOKEN', url: 'https://huggingface.co/meta-llama/Llama-3.1-8B/resolve/main/sub/model.safetensors' }],
    ['hf with HF_ENDPOINT', { kind: 'hf', org: 'o', repo: 'r', revision: 'abc123', file: 'f' }, { HF_ENDPOINT: 'https://hf-mirror.example/' },
      { kind: 'http', credential: 'HF_TOKEN', url: 'https://hf-mirror.example/o/r/resolve/abc123/f' }],
    ['https as is', { kind: 'http', url: 'https://example.com/a.bin?x=1' }, { NGC_API_KEY: 'k' },
      { kind: 'http', credential: null, url: 'https://example.com/a.bin?x=1' }],
    ['file', { kind: 'file', path: '/models/a/../b.bin' }, {}, { kind: 'file', path: '/models/b.bin' }],
    ['override ngc://host keeps the NGC layout and key', ngc('meta'), { NIM_REPOSITORY_OVERRIDE: 'ngc://ngc.mirror.example/' },
      { kind: 'http', credential: 'NGC_API_KEY',
        url: 'https://ngc.mirror.example/v2/org/nim/team/meta/models/llama-3.1-8b-instruct/versions/hf-1.0/files/config.json' }],
    ['override https:// mirror: encoded key, no credential', ngc('meta'), { NIM_REPOSITORY_OVERRIDE: 'https://mirror.example/nim-models/' },
      { kind: 'http', credential: null,
        url: 'https://mirror.example/nim-models/nim%2Fmeta%2Fllama-3.1-8b-instruct%3Ahf-1.0%3Ffile%3Dconfig.json' }],
    ['override leaves hf:// alone', { kind: 'hf', org: 'o', repo: 'r', revision: 'main', file: 'f' }, { NIM_REPOSITORY_OVERRIDE: 'https://m.example' },
      { kind: 'http', credential: 'HF_TOKEN', url: 'https://huggingface.co/o/r/resolve/main/f' }],
  ])('%s', (_name, source, env, want) => {
    expect(resolveSource(source, settings(env))).toEqual(want);
  });

  it.each(['s3://bucket/prefix', 'ftp://x', 'nonsense', 'https://m.example/?sig=1'])('override %s is exit 78 naming the variable', (value) => {
    let err: unknown;
    try {
      resolveSource(ngc('meta'), settings({ NIM_REPOSITORY_OVERRIDE: value }));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'bad-config', exitCode: 78 });
    expect((err as Error).message).toContain('NIM_REPOSITORY_OVERRIDE');
  });
});

describe('sourceFileName', () => {
  it.each<[ParsedSource, string]>([
    [ngc(null, 'weights/model.safetensors'), 'weights/model.safetensors'],
    [{ kind: 'http', url: 'https://mirror.test/models/a%20b.bin?sig=x' }, 'a b.bin'],
    [{ kind: 'http', url: 'https://mirror.test/models/100%.bin' }, '100%.bin'], // not percent-encoding: kept as written
  ])('%j → %s', (source, name) => expect(sourceFileName(source)).toBe(name));
});
