// Asks the engine's own `/health` (vLLM, SGLang and trtllm-serve all serve it) every interval and reports each
// answer to the readiness state. A poll that does not answer within the interval counts as unhealthy: a hung
// engine must not keep the pod ready.
import http from 'node:http';
import type { Upstream } from './proxy.js';

export interface HealthPoll {
  stop(): void;
}

function checkOnce(upstream: Upstream, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: upstream.host, port: upstream.port, path: '/health', agent: upstream.agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, detail: `the engine's /health answered ${res.statusCode}` }));
      res.on('error', () => resolve({ ok: false, detail: "the engine's /health broke off" }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, detail: `the engine is not answering on /health yet (${e.message})` }));
  });
}

export function pollHealth(upstream: Upstream, intervalMs: number, report: (ok: boolean, detail: string) => void | Promise<void>): HealthPoll {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const r = await checkOnce(upstream, Math.max(intervalMs, 1000));
    if (stopped) return;
    await report(r.ok, r.detail);
    timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
