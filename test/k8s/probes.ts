// The kubelet's HTTP probes of one container, at the probe's own delays and periods divided by a stated factor
// (timeouts are not scaled): the startup probe first; readiness and liveness only once it has passed. A pod with
// an IP is probed there, as kubelet does; an air-gapped pod (its namespace holds only loopback) through
// `nsenter` into its network namespace, at 127.0.0.1.
import http from 'node:http';
import { docker, run } from './docker.js';
import type { Container, Probe, RunningPod } from './pod-runner.js';

export interface ProbeWatch {
  /** resolves when the startup probe passed (rejects when it failed failureThreshold times in a row) */
  started: Promise<void>;
  /** resolves at the first successful readiness probe */
  ready: Promise<void>;
  readiness: number[];
  liveness: number[];
  /** true once liveness failed failureThreshold times in a row: kubelet would restart the container */
  livenessKilled(): boolean;
  stop(): void;
}

function getOverHttp(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, headers: { 'user-agent': 'kube-probe/1.32' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const NSENTER_GET = `require('http').get(process.argv[1],{timeout:Number(process.argv[2])},r=>{r.resume();r.on('end',()=>console.log(r.statusCode))}).on('error',()=>console.log(0)).on('timeout',function(){this.destroy()})`;

export async function probeGet(p: RunningPod, c: Container, probe: Probe): Promise<number> {
  const get = probe.httpGet;
  if (!get) throw new Error(`${c.name}: only httpGet probes are run`);
  const port = typeof get.port === 'number' ? get.port : c.ports?.find((x) => x.name === get.port)?.containerPort;
  if (port === undefined) return 0; // kubelet: the probe fails
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (p.net.ip) return getOverHttp(`http://${p.net.ip}:${port}${get.path}`, timeoutMs);
  const name = p.containers.get(c.name) as string;
  const pid = (await docker('inspect', '-f', '{{.State.Pid}}', name)).trim();
  if (pid === '0') return 0;
  const out = await run('nsenter', ['-t', pid, '-n', process.execPath, '-e', NSENTER_GET, `http://127.0.0.1:${port}${get.path}`, String(timeoutMs)]).catch(() => '0');
  return Number(out.trim());
}

const ok = (status: number): boolean => status >= 200 && status < 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function watchProbes(p: RunningPod, c: Container, scale: number): ProbeWatch {
  let stopped = false;
  const at = Date.now();
  const readiness: number[] = [];
  const liveness: number[] = [];
  let killed = false;
  const scaled = (s: number | undefined, fallback: number) => Math.max(100, ((s ?? fallback) * 1000) / scale);
  async function loop(probe: Probe, record: number[], onResult: (okNow: boolean, failuresInRow: number) => boolean): Promise<void> {
    await sleep(Math.max(0, scaled(probe.initialDelaySeconds, 0) - (Date.now() - at)));
    let failures = 0;
    while (!stopped) {
      const status = await probeGet(p, c, probe);
      record.push(status);
      failures = ok(status) ? 0 : failures + 1;
      if (onResult(ok(status), failures)) return;
      await sleep(scaled(probe.periodSeconds, 10));
    }
  }
  const startup = c.startupProbe;
  const started = !startup ? Promise.resolve() : new Promise<void>((resolve, reject) => {
    void loop(startup, [], (okNow, failures) => {
      if (okNow) resolve();
      else if (failures >= (startup.failureThreshold ?? 3)) reject(new Error(`${c.name}: startup probe failed ${failures} times`));
      return okNow || failures >= (startup.failureThreshold ?? 3);
    });
  });
  const ready = new Promise<void>((resolve) => {
    void started.then(() => c.readinessProbe ? loop(c.readinessProbe, readiness, (okNow) => { if (okNow) resolve(); return false; }) : resolve(), () => undefined);
  });
  void started.then(() => c.livenessProbe && loop(c.livenessProbe, liveness, (_okNow, failures) => {
    if (failures >= (c.livenessProbe?.failureThreshold ?? 3)) killed = true;
    return killed;
  }), () => undefined);
  return { started, ready, readiness, liveness, livenessKilled: () => killed, stop: () => { stopped = true; } };
}
