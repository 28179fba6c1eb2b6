// serve with the front (DESIGN §11) as a real process: the stand-in engine is slow to become healthy (until the
// test creates its health file), streams in lock step with the test, and records what reaches it.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../support/engine-record.js';
import http from 'node:http';
import { nimlet } from '../support/cli.js';
import { frontSandbox, startServe, PROFILE_ID, readyOf, request, streamChat, until } from './front-helpers.js';

describe('serve with the front', () => {
  it('live at once; ready 503 (starting) → 200 when the engine turns healthy; NIM paths; models and SSE pass through', async () => {
    const f = await frontSandbox();
    const { child, done } = startServe(f, { ...f.env, FAKE_ENGINE_LOCKSTEP: '1', FAKE_ENGINE_EXIT_CODE: '7', NIMLET_DRAIN_DELAY_MS: '0', NIM_JSONL_LOGGING: '1' });
    const live = await until('live', async () => ((await request(`${f.base}/v1/health/live`)).status || undefined));
    expect(live).toBe(200);
    // the engine answers /health 503 until its health file exists: nimlet must say "starting", not ready
    const starting = await until('the engine listening', async () => {
      const r = await readyOf(f.base);
      return readRecord(f.sb.record).some((e) => (e.event as string) === 'listening') && r.json?.stage === 'starting' ? r : undefined;
    });
    expect(starting).toMatchObject({ status: 503, json: { status: 'not ready', stage: 'starting' } });
    writeFileSync(f.healthFile, '');
    const ready = await until('ready', async () => {
      const r = await readyOf(f.base);
      return r.status === 200 ? r : undefined;
    });
    expect(ready.json).toEqual({ status: 'ready' });

    const meta = JSON.parse((await request(`${f.base}/v1/metadata`)).body) as { profile: { id: string }; modelInfo: { shortName: string }[]; engine: unknown };
    expect(meta.profile.id).toBe(PROFILE_ID);
    expect(meta.modelInfo[0]?.shortName).toBe('store');
    expect(meta.engine).toEqual({ name: 'vllm', version: '0.0.0-fake' });
    expect(JSON.parse((await request(`${f.base}/v1/version`)).body)).toEqual({ release: expect.stringMatching(/^\d+\.\d+\.\d+/), api: '1.0.0' });
    expect(JSON.parse((await request(`${f.base}/v1/manifest`)).body)).toMatchObject({ id: PROFILE_ID, tags: { llm_engine: 'vllm' } });
    const metrics = (await request(`${f.base}/v1/metrics`)).body;
    expect(metrics).toMatch(/^vllm:num_requests_running\{model_name="store"\} 0$/m);
    expect(metrics).toMatch(/^nimlet_download_bytes_total 0$/m);
    expect(metrics).toMatch(/^nimlet_time_to_ready_seconds \d+\.\d{3}$/m);
    expect(metrics).toMatch(/^nimlet_requests_in_flight 1$/m); // the scrape itself

    // NIM's paths are read-only: another method there is the engine's (its 404 comes back as it is)
    const posted = await request(`${f.base}/v1/metadata`, { method: 'POST', body: '{}' });
    expect(posted).toMatchObject({ status: 404, body: '{"error":"no route POST /v1/metadata"}' });
    const models = await request(`${f.base}/v1/models?x=1`, { headers: { authorization: 'Bearer sk-SECRET' } });
    expect(models.status).toBe(200);
    expect(JSON.parse(models.body)).toEqual({ object: 'list', data: [{ id: 'store', object: 'model', owned_by: 'vllm' }] });
    // lock step: the engine writes event i+1 only after the test, having read event i through nimlet, asks for
    // it, so a front that held events back (buffering) would never finish this stream
    const { events } = streamChat(f.base, 4, (data) => {
      if (data !== '[DONE]') void request(`http://127.0.0.1:${f.enginePort}/_step`);
    });
    const got = await events;
    expect(got.map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content)))
      .toEqual(['t0 ', 't1 ', 't2 ', 't3 ', '[DONE]']);
    const reqs = readRecord(f.sb.record).filter((e) => (e.event as string) === 'request') as unknown as { path: string; xff: string }[];
    expect(reqs.map((r) => r.path)).toEqual(['/v1/metadata', '/v1/models?x=1', '/v1/chat/completions']);
    expect(reqs[1]!.xff).toBe('127.0.0.1');

    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(7);
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = logs.filter((l) => l.event === 'request');
    expect(requests.find((l) => l.path === '/v1/chat/completions')).toMatchObject({ method: 'POST', status: 200, completed: true, bytes: expect.any(Number) });
    expect(requests.find((l) => l.path === '/v1/models')).toMatchObject({ method: 'GET', status: 200 });
    expect(r.stderr).not.toMatch(/SECRET|x=1/);
  });
});

describe('serve with the front: bad ports', () => {
  it('NIM_SERVER_PORT taken: 78 before the probe, naming the port', async () => {
    const f = await frontSandbox();
    const holder = http.createServer();
    await new Promise<void>((ok) => holder.listen(f.port, '0.0.0.0', ok));
    try {
      const r = await nimlet(['serve'], f.env, { real: true });
      expect(r.code).toBe(78);
      expect(r.stderr).toBe(`nimlet: port ${f.port} on 0.0.0.0 is in use: nimlet cannot serve there\n`
        + 'hint: set NIM_SERVER_PORT to a free port (1024 or above without root), or stop what listens there\n');
    } finally {
      holder.close();
    }
  });

  it('NIM_CORS_ALLOW_ORIGINS: preflights answered by the front, the engine\'s own CORS headers replaced by its policy', async () => {
    const f = await frontSandbox();
    const { child, done } = startServe(f, { ...f.env, NIM_CORS_ALLOW_ORIGINS: 'https://app.example', NIMLET_DRAIN_DELAY_MS: '0' });
    writeFileSync(f.healthFile, '');
    await until('ready', async () => ((await readyOf(f.base)).status === 200 ? true : undefined));
    const pre = await request(`${f.base}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    const models = await request(`${f.base}/v1/models`, { headers: { origin: 'https://app.example' } });
    expect(models.headers['access-control-allow-origin']).toBe('https://app.example'); // not the engine's `*`
    const other = await request(`${f.base}/v1/models`, { headers: { origin: 'https://other.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const seen = (readRecord(f.sb.record) as unknown as { event: string; method?: string }[]).filter((e) => e.event === 'request').map((e) => e.method);
    expect(seen).toEqual(['GET', 'GET']); // the preflight never reached the engine
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('an engine command that is not there: 127 as without the front, and the port closed', async () => {
    const f = await frontSandbox();
    const r = await nimlet(['serve'], { ...f.env, NIMLET_VLLM_CMD: `${f.sb.dir}/no-such-engine serve` }, { real: true });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain(`nimlet: engine command "${f.sb.dir}/no-such-engine" not found`);
    expect((await request(`${f.base}/v1/health/live`)).status).toBe(0);
  });

  it('NIM_SERVER_PORT and NIM_HTTP_API_PORT that disagree: 78', async () => {
    const f = await frontSandbox();
    const r = await nimlet(['serve'], { ...f.env, NIM_HTTP_API_PORT: String(f.port === 65535 ? 1 : f.port + 1) }, { real: true });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^nimlet: NIM_SERVER_PORT=\d+ and NIM_HTTP_API_PORT=\d+ disagree/);
  });
});
