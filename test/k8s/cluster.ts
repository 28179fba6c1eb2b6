// The single-machine "cluster" the pod-spec runner runs objects on: the smoke test's artifact server on 127.0.0.1
// (docker/smoke.d/artifact-server.mjs, which logs every request, so a start can be shown to make none), one docker
// volume per PersistentVolumeClaim set, the NGC secret as a file, the stand-in nvidia-smi (8 × H100 SXM) and, as
// the engine behind nimlet's front, the tests' stand-in OpenAI engine (test/fixtures/engines/fake-openai-engine)
// streaming one token per 100 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docker } from './docker.js';
import { repoRoot } from './objects.js';
import type { Cluster } from './pod-runner.js';

// --mount, not -v: a missing source is an error, never an empty folder docker creates in the checkout
const bind = (src: string, dst: string): string[] => ['--mount', `type=bind,src=${src},dst=${dst},readonly`];

export interface TestCluster extends Cluster { requests(): number; close(): Promise<void> }

export async function startCluster(image: string, tag: string): Promise<TestCluster> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nimlet-k8s-'));
  const log = path.join(tmp, 'requests.jsonl');
  const portFile = path.join(tmp, 'port');
  const smoke = path.join(repoRoot, 'docker/smoke.d');
  const server: ChildProcess = spawn(process.execPath, [path.join(smoke, 'artifact-server.mjs'), path.join(smoke, 'artifacts'), log, portFile], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100));
  const artifactPort = Number(readFileSync(portFile, 'utf8'));
  const secret = path.join(tmp, 'ngc-api-secret.env');
  writeFileSync(secret, 'NGC_API_KEY=k8s-test-ngc-key\n', { mode: 0o600 });
  const nvsmi = path.join(tmp, 'nvidia-smi');
  writeFileSync(nvsmi, '#!/bin/sh\nexec /bin/sh /opt/fake-nvsmi/nvidia-smi "$@"\n', { mode: 0o755 });
  const pvcVolume = `nimlet-k8s-${process.pid}-${tag}`;
  await docker('volume', 'create', pvcVolume);
  return {
    image, pvcVolume, artifactPort, tmp,
    secretFiles: { 'ngc-api-secret': secret },
    gpu: {
      mounts: [bind(nvsmi, '/usr/bin/nvidia-smi'), bind(path.join(repoRoot, 'test/fixtures/nvidia-smi'), '/opt/fake-nvsmi')].flat(),
      env: { NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8' },
    },
    extra: {
      mounts: bind(path.join(repoRoot, 'test/fixtures/engines/fake-openai-engine'), '/opt/front-engine'),
      env: { NIMLET_VLLM_CMD: 'node /opt/front-engine', FAKE_ENGINE_TOKEN_MS: '100' },
    },
    requests: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
    close: async () => {
      server.kill();
      await docker('volume', 'rm', '-f', pvcVolume).catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** "uid:gid path" of each path (a glob under the volume's root), as stat sees it on the volume. */
export async function volumeListing(c: Cluster, under: string): Promise<string> {
  return docker('run', '--rm', '--network', 'none', '--user', '0', '-v', `${c.pvcVolume}:/model-store:ro`, '--entrypoint', 'sh', c.image, '-c',
    `cd /model-store && for f in ${under}; do [ -e "$f" ] && stat -c '%u:%g %n' "$f"; done; true`);
}

/** The complete profiles in the cache on the volume (`nimlet cache ls`), each as "uid:gid id" of its folder. */
export async function cachedProfiles(c: Cluster): Promise<string[]> {
  const out = await docker('run', '--rm', '--network', 'none', '--user', '1000:2000', '-v', `${c.pvcVolume}:/model-store:ro`,
    '-e', 'NIM_CACHE_PATH=/model-store', c.image, 'cache', 'ls', '--json');
  const ls = JSON.parse(out) as { profiles: Array<{ id: string; complete: boolean; path: string }> };
  const rows = [];
  for (const p of ls.profiles.filter((x) => x.complete)) {
    const owner = (await volumeListing(c, p.path.replace('/model-store/', ''))).trim().split(' ')[0];
    rows.push(`${owner} ${p.id}`);
  }
  return rows.sort();
}
