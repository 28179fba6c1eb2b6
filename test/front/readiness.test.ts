import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../src/front/readiness.js';

describe('readiness', () => {
  it('starting → downloading (bytes) → starting → ready → unhealthy → ready; time to ready from the first 200', () => {
    let t = 1000;
    const r = createReadiness(() => t);
    expect(r.answer()).toEqual({ status: 503, body: { status: 'not ready', stage: 'starting', detail: 'selecting a profile' } });
    r.downloading(5, 10);
    expect(r.answer()).toEqual({ status: 503, body: { status: 'not ready', stage: 'downloading', detail: 'downloading the model', download: { bytes: 5, totalBytes: 10 } } });
    r.starting('the engine is starting');
    r.engineHealth(false, 'refused');
    expect(r.answer().body).toMatchObject({ stage: 'starting', detail: 'refused' });
    expect(r.timeToReadySeconds()).toBeNull();
    t = 3500;
    r.engineHealth(true, '');
    expect(r.answer()).toEqual({ status: 200, body: { status: 'ready' } });
    r.engineHealth(false, "the engine's /health answered 500");
    expect(r.answer().body).toMatchObject({ stage: 'unhealthy', detail: "the engine's /health answered 500" });
    t = 9000;
    r.engineHealth(true, '');
    expect(r.timeToReadySeconds()).toBe(2.5);
    expect(r.downloadedBytes()).toBe(5);
  });

  it('stop is final: a healthy engine afterwards does not make it ready again', () => {
    const r = createReadiness(() => 0);
    r.engineHealth(true, '');
    r.stop('shutting down (SIGTERM)');
    r.engineHealth(true, '');
    r.downloading(1, 2);
    expect(r.answer()).toEqual({ status: 503, body: { status: 'not ready', stage: 'unhealthy', detail: 'shutting down (SIGTERM)' } });
  });
});
