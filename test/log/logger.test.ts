import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { logStartupSummary, type StartupSummary } from '../../src/log/startup-summary.js';

const now = () => new Date('2025-01-02T03:04:05.000Z');

describe('createLogger', () => {
  it('writes text, filtered by level, redacted', () => {
    const out: string[] = [];
    const log = createLogger({ write: (s) => out.push(s), jsonl: false, level: 'info', secrets: ['nvapi-SECRET'], now });
    log.debug('d', 'hidden');
    log.info('i', 'key nvapi-SECRET here');
    log.error('e', 'bad');
    expect(out).toEqual(['key *** here\n', 'bad\n']);
  });

  it('writes JSON lines with time, level, event, message and fields', () => {
    const out: string[] = [];
    const log = createLogger({ write: (s) => out.push(s), jsonl: true, level: 'warning', secrets: ['hf_SECRET'], now });
    log.info('i', 'hidden');
    log.warning('w', 'careful', { token: 'hf_SECRET', n: 1 });
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2025-01-02T03:04:05.000Z', level: 'warning', event: 'w', message: 'careful', token: '***', n: 1 },
    ]);
  });
});

const summary: StartupSummary = {
  engine: 'vllm',
  profile: { id: 'abc', name: 'vllm-bf16-tp2' },
  why: ['pinned by NIM_MODEL_PROFILE'],
  gpus: [{ index: 0, uuid: 'GPU-a' }, { index: 1, uuid: 'GPU-b' }],
  cacheDir: '/c',
  modelDir: '/c/profiles/abc',
  modelSource: 'cache',
  download: { files: 3, bytes: 2048, cached: 1, unknownSizeFiles: 0, fetchedBytes: 2048 },
  argv: ['vllm', 'serve', '/c/profiles/abc', '--api-key', 'k1', '--x', 'nvapi-SECRET'],
  timingsMs: { manifest: 1.2, probe: 20, select: 0.4, cache: 100, total: 130 },
};

describe('logStartupSummary', () => {
  it('text', () => {
    const out: string[] = [];
    logStartupSummary(createLogger({ write: (s) => out.push(s), jsonl: false, level: 'info', now }), summary, false, ['nvapi-SECRET']);
    expect(out.join('')).toBe([
      'nimlet: starting vllm with profile abc (vllm-bf16-tp2)',
      '  why: pinned by NIM_MODEL_PROFILE',
      '  GPUs: 0 (GPU-a), 1 (GPU-b)',
      '  cache: /c',
      '  model: /c/profiles/abc (3 files: 1 already cached, 2.0 KiB fetched now)',
      "  command: vllm serve /c/profiles/abc --api-key '***' --x '***'",
      '  timings: manifest 1 ms, probe 20 ms, select 0 ms, cache 100 ms, total 130 ms',
      '',
    ].join('\n'));
  });

  it('one JSON line', () => {
    const out: string[] = [];
    logStartupSummary(createLogger({ write: (s) => out.push(s), jsonl: true, level: 'info', now }), summary, true, ['nvapi-SECRET']);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual({
      time: '2025-01-02T03:04:05.000Z', level: 'info', event: 'startup',
      message: 'starting vllm with profile abc (vllm-bf16-tp2)',
      engine: 'vllm', profile: summary.profile, why: summary.why, gpus: summary.gpus, cacheDir: '/c', modelDir: '/c/profiles/abc',
      modelSource: 'cache', download: summary.download,
      argv: ['vllm', 'serve', '/c/profiles/abc', '--api-key', '***', '--x', '***'], timingsMs: summary.timingsMs,
    });
  });
});
