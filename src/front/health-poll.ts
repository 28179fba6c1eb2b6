// Asks the engine's own `/health` (vLLM, SGLang and trtllm-serve all serve it) every interval and reports each
// answer to the readiness state. A poll that does not answer within the interval counts as unhealthy: a hung
// engine must not keep the pod ready.
import { askEngine } from './engine-ask.js';
import type { Upstream } from './proxy.js';

export interface HealthPoll {
  stop(): void;
}

async function checkOnce(upstream: Upstream, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const { status } = await askEngine(upstream, '/health', timeoutMs, 64 * 1024);
    return { ok: status === 200, detail: `the engine's /health answered ${status}` };
  } catch (err) {
    return { ok: false, detail: `the engine is not answering on /health yet (${(err as Error).message})` };
  }
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
