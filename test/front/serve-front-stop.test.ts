// How serve with the front ends (DESIGN §11): SIGTERM drains (readiness 503 while streams still run, every
// stream completes, only then does the engine get SIGTERM; nimlet exits with the engine's status); a client that
// goes away cancels the engine's request; an engine that dies ends nimlet with its status.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../support/engine-record.js';
import { frontSandbox, startServe, readyOf, request, streamChat, until } from './front-helpers.js';

type Rec = { event: string; signal?: string; at: number; pid?: number };

async function startReady(extra: Record<string, string>) {
  const f = await frontSandbox();
  const run = startServe(f, { ...f.env, FAKE_ENGINE_LOCKSTEP: '1', ...extra });
  writeFileSync(f.healthFile, '');
  await until('ready', async () => ((await readyOf(f.base)).status === 200 ? true : undefined));
  const records = (): Rec[] => readRecord(f.sb.record) as unknown as Rec[];
  const step = (): Promise<unknown> => request(`http://127.0.0.1:${f.enginePort}/_step`);
  return { f, ...run, records, step };
}

describe('serve with the front stops', () => {
  it('SIGTERM with 20 streams in flight: 503 at once, new requests served during the drain delay, all 20 complete, then the engine stops; its exit code', async () => {
    const { f, child, done, records, step } = await startReady({ FAKE_ENGINE_EXIT_CODE: '7', NIMLET_DRAIN_DELAY_MS: '1500' });
    let firstEvents = 0;
    const streams = Array.from({ length: 20 }, () => streamChat(f.base, 3, (d) => void (d.includes('"t0 "') && firstEvents++)).events);
    await until('20 streams under way', async () => (firstEvents === 20 ? true : undefined));
    const sentAt = performance.now();
    child.kill('SIGTERM');
    // every stream waits on the test's steps, so all 20 are in flight whatever this machine's speed
    const notReady = await until('readiness to turn', async () => {
      const r = await readyOf(f.base);
      return r.status === 200 ? undefined : r;
    }, 10_000);
    console.info(`readiness answered 503 ${(performance.now() - sentAt).toFixed(1)} ms after SIGTERM (20 streams in flight)`);
    expect(notReady).toMatchObject({ status: 503, json: { status: 'not ready', stage: 'unhealthy', detail: 'shutting down (SIGTERM)' } });
    expect(records().filter((r) => r.event === 'stream_end')).toEqual([]);
    // within the drain delay a new request is still served (a Service may still send some)
    expect((await request(`${f.base}/v1/models`)).status).toBe(200);
    expect(records().some((r) => r.event === 'signal')).toBe(false);
    for (let i = 0; i < 40; i++) await step();
    const all = await Promise.all(streams);
    expect(all.map((e) => e.length)).toEqual(Array(20).fill(4)); // t0, t1, t2, [DONE]
    const r = await done;
    expect(r.code).toBe(7);
    const rec = records();
    const lastEnd = Math.max(...rec.filter((e) => e.event === 'stream_end').map((e) => e.at));
    const signals = rec.filter((e) => e.event === 'signal');
    expect(signals.map((s) => s.signal)).toEqual(['SIGTERM']);
    expect(signals[0]!.at).toBeGreaterThanOrEqual(lastEnd);
    expect(rec.filter((e) => e.event === 'stream_end')).toHaveLength(20);
    // after the drain nimlet no longer listens
    expect((await request(`${f.base}/v1/health/live`)).status).toBe(0);
  });

  it('a client that disconnects mid-stream cancels the engine request', async () => {
    const { f, child, done, records } = await startReady({ NIMLET_DRAIN_DELAY_MS: '0' });
    const { req, events } = streamChat(f.base, 5, (d, r) => void (d.includes('"t0 "') && r.destroy()));
    await events.catch(() => undefined);
    expect(req.destroyed).toBe(true);
    const aborted = await until('the engine to see the abort', async () => records().find((e) => e.event === 'stream_aborted'), 10_000);
    expect(aborted).toBeDefined();
    expect(records().some((e) => e.event === 'stream_end')).toBe(false);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('an engine that dies: nimlet exits with its status (SIGKILL → 137), saying so', async () => {
    const { f, done, records } = await startReady({});
    const pid = records().find((e) => e.event === 'start')!.pid!;
    process.kill(pid, 'SIGKILL');
    const r = await done;
    expect(r.code).toBe(137);
    expect(r.stderr).toContain('nimlet: the engine exited with status 137; nimlet exits with it\n');
    expect((await request(`${f.base}/v1/health/live`)).status).toBe(0);
  });

  it('a second SIGTERM during the drain reaches the engine at once', async () => {
    const { f, child, done, records } = await startReady({ FAKE_ENGINE_EXIT_CODE: '5', NIMLET_DRAIN_DELAY_MS: '600000' });
    child.kill('SIGTERM');
    // the drain has begun once readiness turns (not after a fixed pause that a slow machine might not cover); a
    // request the engine answers after that would come after any signal forwarded at once
    await until('the drain to begin', async () => ((await readyOf(f.base)).status === 503 ? true : undefined), 10_000);
    expect((await request(`${f.base}/v1/models`)).status).toBe(200);
    expect(records().some((e) => e.event === 'signal')).toBe(false);
    child.kill('SIGTERM');
    expect((await done).code).toBe(5);
    expect(records().filter((e) => e.event === 'signal').map((e) => e.signal)).toEqual(['SIGTERM']);
  });
});
