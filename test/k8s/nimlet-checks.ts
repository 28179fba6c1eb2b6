// What a schema cannot check about nimlet's own objects: each HTTP probe asks a path nimlet's front answers, on a
// port the container declares, which is the port nimlet serves on (NIM_SERVER_PORT, default 8000); each NIM_,
// NIMLET_, NGC_ or HF_ variable set on a nimlet container is one nimlet reads (a misspelt name is silently ignored
// otherwise: the typical "HF_HUB_OFFLINE ignored" report).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, repoRoot, type K8sObject } from './objects.js';

/** The GET paths of the front (DESIGN §11, src/front/server.ts) that a probe may ask. */
export const FRONT_PROBE_PATHS = ['/v1/health/live', '/v1/health/ready', '/v1/models', '/v1/metadata', '/v1/version', '/v1/metrics'];
const DEFAULT_PORT = 8000;
const OWN_VARIABLE = /^(NIM|NIMLET|NGC|HF)_/;

/** The variable names nimlet's settings read: every such name quoted in src/config and src/cli (where settings are parsed). */
export function variablesNimletReads(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['src/config', 'src/cli', 'src/cli/commands']) {
    for (const f of readdirSync(path.join(repoRoot, dir)).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(path.join(repoRoot, dir, f), 'utf8');
      for (const m of text.matchAll(/['"`]((?:NIM|NIMLET|NGC|HF)_[A-Z0-9_]+)['"`]/g)) names.add(m[1] as string);
    }
  }
  return names;
}

type Probe = { httpGet?: { path?: string; port?: number | string } };
type Container = {
  name: string; image?: string; ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>; startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe;
};
type PodSpec = { containers?: Container[] };

/** Every pod spec of an object: a Pod's, a workload's template, a LeaderWorkerSet's leader and worker. */
export function podSpecs(o: K8sObject): Array<[string, PodSpec]> {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return [];
  if (o.kind === 'Pod') return [['spec', spec as PodSpec]];
  const template = spec.template as { spec?: PodSpec } | undefined;
  if (template?.spec) return [['spec.template.spec', template.spec]];
  const lwt = spec.leaderWorkerTemplate as Record<string, { spec?: PodSpec } | undefined> | undefined;
  return (['leaderTemplate', 'workerTemplate'] as const).flatMap((k) => {
    const s = lwt?.[k]?.spec;
    return s ? [[`spec.leaderWorkerTemplate.${k}.spec`, s] as [string, PodSpec]] : [];
  });
}

export function nimletProblems(o: K8sObject, reads: Set<string> | null): string[] {
  const problems: string[] = [];
  for (const [at, spec] of podSpecs(o)) {
    for (const c of spec.containers ?? []) {
      if (!/nimlet/.test(c.image ?? '')) continue;
      const where = `${describe(o)}: ${at} container ${c.name}`;
      const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
      for (const name of env.keys()) {
        if (reads && OWN_VARIABLE.test(name) && !reads.has(name)) problems.push(`${where}: env ${name} is not a variable nimlet reads`);
      }
      const serving = Number(env.get('NIM_SERVER_PORT') ?? DEFAULT_PORT);
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const get = c[kind]?.httpGet;
        if (!get) continue;
        if (!FRONT_PROBE_PATHS.includes(get.path ?? '')) {
          problems.push(`${where}: ${kind} path ${get.path} is not one nimlet answers (${FRONT_PROBE_PATHS.join(', ')})`);
        }
        const port = typeof get.port === 'string' ? c.ports?.find((p) => p.name === get.port)?.containerPort : get.port;
        if (port === undefined) problems.push(`${where}: ${kind} port ${get.port} is not a port of the container`);
        else if (port !== serving) problems.push(`${where}: ${kind} port ${port} is not the port nimlet serves on (${serving})`);
      }
    }
  }
  return problems;
}
