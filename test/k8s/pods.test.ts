// The NIM Operator's objects (../shared/k8s/operator, read where they lie) and the overlays of deploy/kubernetes,
// run by the pod-spec runner as a kubelet would run them (issue 17): the manifest pod prints the manifest, the
// cache Job completes as uid 1000 with the profiles on the volume, each replica of the Deployment passes its
// startup, readiness and liveness probes with zero requests, and deleting a pod with its 30 s grace while 10
// streams run loses none. Needs root, docker and the image (.ci/steps/k8s builds the smoke test's image and sets
// NIMLET_K8S_IMAGE); skipped without it.
// Stated substitutions: every image name is the local image; the operator's two illustrative profile ids are the
// smoke manifest's two; probe delays and periods are divided by PROBE_SCALE; serving containers get the stand-in
// engine (cluster.ts) and the artifact server's address over the pod's veth (NIMLET_NGC_ENDPOINT).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cachedProfiles, startCluster, volumeListing, type TestCluster } from './cluster.js';
import { docker, logs, waitExit } from './docker.js';
import { hasSharedK8s, overlaysDir, readObjects, renderOverlay, repoRoot, sharedK8sDir, type K8sObject } from './objects.js';
import { deletePod, podFromTemplate, removePod, startPod, type Pod, type PodSpec, type RunningPod } from './pod-runner.js';
import { watchProbes } from './probes.js';
import { openStream } from './streams.js';

const image = process.env.NIMLET_K8S_IMAGE;
const PROBE_SCALE = 10;
const GENERIC = 'ad9882e5098029b85d0b4fc6772ae11dac63179c1d9049f1c0a01513462b542d'; // vllm-bf16-tp1: fits 1 GPU
const H100 = 'f96bfd5855d8632b284515d7c9122fb62385ae32e87616913bad3637ab11c7aa'; // vllm-h100-bf16-tp2
const OPERATOR_IDS: Record<string, string> = {
  aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999: GENERIC,
  '1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff': H100,
};
const manifestText = readFileSync(path.join(repoRoot, 'docker/smoke.d/model_manifest.yaml'), 'utf8');

type Template = { metadata?: Pod['metadata']; spec: PodSpec };
const find = (objects: K8sObject[], kind: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind}`);
  return o;
};
const template = (o: K8sObject): Template => (o.spec as { template: Template }).template;

async function runJob(cluster: TestCluster, job: K8sObject, name: string): Promise<{ code: number; log: string }> {
  const pod = await startPod(cluster, podFromTemplate(name, template(job)), { network: 'veth' });
  const container = [...pod.containers.values()][0] as string;
  const code = await waitExit(container, 300_000);
  const log = await logs(container);
  await removePod(pod);
  return { code, log };
}

/** A replica started; its probes passed; the artifact server's count before and after. */
async function startReplica(cluster: TestCluster, deployment: K8sObject, name: string, network: 'veth' | 'none') {
  const before = cluster.requests();
  const pod = await startPod(cluster, podFromTemplate(name, template(deployment)), { network });
  const c = template(deployment).spec.containers[0] as PodSpec['containers'][number];
  const probes = watchProbes(pod, c, PROBE_SCALE);
  // a container that exits fails at once: kubelet would restart it, and the probes could only go on failing
  const exited = waitExit(pod.containers.get(c.name) as string, 600_000).then((code) => { throw new Error(`${c.name} exited with ${code}`); });
  exited.catch(() => undefined);
  try {
    await Promise.race([probes.started, exited]);
    await Promise.race([probes.ready, exited]);
    while (probes.liveness.length < 2) await new Promise((r) => setTimeout(r, 200));
  } catch (e) {
    const tail = (await logs(pod.containers.get(c.name) as string)).slice(-3000);
    await removePod(pod);
    throw new Error(`${(e as Error).message}\n${tail}`);
  } finally {
    probes.stop();
  }
  return { pod, probes, requests: cluster.requests() - before };
}

async function streamsSurviveDeletion(pod: RunningPod): Promise<Array<{ status: number; complete: boolean }>> {
  const streams = Array.from({ length: 10 }, () => openStream(pod.net.ip as string, 8000, 30));
  await Promise.all(streams.map((s) => s.firstChunk));
  const deleted = deletePod(pod, 30);
  const results = await Promise.all(streams.map((s) => s.done));
  await deleted;
  return results.map((r) => ({ status: r.status, complete: r.complete }));
}

describe.skipIf(!image || !hasSharedK8s)("the NIM Operator's objects, run as pods", { timeout: 300_000 }, () => {
  const dir = path.join(sharedK8sDir, 'operator');
  let cluster: TestCluster;
  let first: RunningPod | undefined;
  const pods: RunningPod[] = [];
  beforeAll(async () => { cluster = await startCluster(image as string, 'operator'); }, 60_000);
  afterAll(async () => {
    for (const p of pods) await removePod(p);
    await cluster?.close();
  }, 120_000);

  test('the manifest pod prints the image manifest, and nothing else', async () => {
    const pod = await startPod(cluster, find(readObjects(path.join(dir, 'nimcache-manifest-pod.yaml')), 'Pod') as unknown as Pod, { network: 'veth' });
    pods.push(pod);
    const container = [...pod.containers.values()][0] as string;
    let out = '';
    for (let i = 0; i < 100 && out.length < manifestText.length; i++) { out = await logs(container); await new Promise((r) => setTimeout(r, 100)); }
    expect(out).toBe(manifestText);
    // `sleep infinity` blocks: the pod stays up until the operator deletes it
    expect((await docker('inspect', '-f', '{{.State.Running}}', container)).trim()).toBe('true');
    // no model_download_protocol label: the operator takes this (manifest pod + download-to-cache) path
    expect(await docker('image', 'inspect', '-f', '{{json .Config.Labels}}', cluster.image)).not.toContain('com.nvidia.nim.model_download_protocol');
    // as the operator parses it (nimparser: schema_version matching 2, profiles[].id)
    const parsed = parse(out) as { schema_version: string; profiles: Array<{ id: string }> };
    expect(parsed.schema_version).toMatch(/2/);
    expect(parsed.profiles.map((p) => p.id)).toEqual(expect.arrayContaining(Object.values(OPERATOR_IDS)));
  });

  test('the cache Job completes as uid 1000 (no GPU) with both profiles on the volume', async () => {
    const job = find(readObjects(path.join(dir, 'nimcache-job.yaml')), 'Job');
    const spec = template(job).spec.containers[0] as PodSpec['containers'][number];
    spec.args = (spec.args ?? []).map((a) => OPERATOR_IDS[a] ?? a);
    const { code, log } = await runJob(cluster, job, 'llama-cache-job-1');
    expect(code, log).toBe(0);
    expect(cluster.requests()).toBeGreaterThan(0);
    expect(await cachedProfiles(cluster)).toEqual([`1000:2000 ${GENERIC}`, `1000:2000 ${H100}`].sort());
  });

  test('the Deployment: startup, readiness and liveness pass; its first start makes zero requests; /v1/models, /v1/metrics', async () => {
    const deployment = find(readObjects(path.join(dir, 'nimservice-deployment.yaml')), 'Deployment');
    const r = await startReplica(cluster, deployment, 'llama-1', 'veth');
    pods.push(r.pod);
    first = r.pod;
    expect(r.requests).toBe(0);
    expect(r.probes.livenessKilled()).toBe(false);
    const models = await (await fetch(`http://${r.pod.net.ip}:8000/v1/models`)).json() as { object: string; data: Array<{ id: string }> };
    expect(models.object).toBe('list');
    expect(models.data[0]?.id).toBeTruthy();
    expect(await (await fetch(`http://${r.pod.net.ip}:8000/v1/metrics`)).text()).toContain('nimlet_');
    const meta = await (await fetch(`http://${r.pod.net.ip}:8000/v1/metadata`)).json() as { profile?: { id?: string } };
    expect(meta.profile?.id).toBe(GENERIC); // the cached profile that fits its one GPU
  });

  test('a second replica in its own network namespace, also on 8000, with zero requests', async () => {
    const deployment = find(readObjects(path.join(dir, 'nimservice-deployment.yaml')), 'Deployment');
    const r = await startReplica(cluster, deployment, 'llama-2', 'veth');
    pods.push(r.pod);
    expect(r.requests).toBe(0);
  });

  test('deleting a pod (30 s grace) while 10 streams run loses none', async () => {
    expect(first).toBeDefined();
    const results = await streamsSurviveDeletion(first as RunningPod);
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ status: 200, complete: true })));
  });
});

describe.skipIf(!image)('the plain overlay, run as pods', { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let objects: K8sObject[];
  const pods: RunningPod[] = [];
  beforeAll(async () => {
    cluster = await startCluster(image as string, 'plain');
    objects = renderOverlay(path.join(overlaysDir, 'plain'));
  }, 60_000);
  afterAll(async () => {
    for (const p of pods) await removePod(p);
    await cluster?.close();
  }, 120_000);

  test('the cache Job fetches the profile it names, as uid 1000', async () => {
    const { code, log } = await runJob(cluster, find(objects, 'Job'), 'llama-nimlet-cache-1');
    expect(code, log).toBe(0);
    expect(await cachedProfiles(cluster)).toEqual([`1000:2000 ${GENERIC}`]);
  });

  // DESIGN §6: with no pin, a profile put into the cache on purpose (download-to-cache --profiles) is chosen over
  // one that would have to be downloaded. On 2 GPUs the H100 tp2 profile ranks first, but only tp1 is cached.
  // The Job's `--profiles vllm-bf16-tp1` leaves records/<key>.on-purpose; NIMLET_PREFER_CACHED is on by default.
  test('a replica given 2 GPUs serves the cached tp1 profile, fetching nothing', async () => {
    const deployment = structuredClone(find(objects, 'Deployment'));
    const c = template(deployment).spec.containers[0] as PodSpec['containers'][number];
    c.resources = { limits: { 'nvidia.com/gpu': 2 } };
    const r = await startReplica(cluster, deployment, 'llama-nimlet-2gpu', 'veth');
    pods.push(r.pod);
    const meta = await (await fetch(`http://${r.pod.net.ip}:8000/v1/metadata`)).json() as { profile?: { id?: string } };
    expect({ profile: meta.profile?.id, requests: r.requests }).toEqual({ profile: GENERIC, requests: 0 });
    await removePod(r.pod);
  });

  test('two replicas pass their probes with zero requests; deleting one while 10 streams run loses none', async () => {
    const deployment = find(objects, 'Deployment');
    const a = await startReplica(cluster, deployment, 'llama-nimlet-a', 'veth');
    pods.push(a.pod);
    const b = await startReplica(cluster, deployment, 'llama-nimlet-b', 'veth');
    pods.push(b.pod);
    expect([a.requests, b.requests]).toEqual([0, 0]);
    const results = await streamsSurviveDeletion(a.pod);
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ status: 200, complete: true })));
  });
});

describe.skipIf(!image)('the air-gapped overlay, run as pods', { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let objects: K8sObject[];
  const pods: RunningPod[] = [];
  beforeAll(async () => {
    cluster = await startCluster(image as string, 'airgap');
    objects = renderOverlay(path.join(overlaysDir, 'air-gapped'));
  }, 60_000);
  afterAll(async () => {
    for (const p of pods) await removePod(p);
    await cluster?.close();
  }, 120_000);

  test('the Job writes the model store; the replica serves it with an empty network namespace (--network none)', async () => {
    const { code, log } = await runJob(cluster, find(objects, 'Job'), 'airgap-nimlet-cache-1');
    expect(code, log).toBe(0);
    expect(await volumeListing(cluster, 'llama/.nimlet/profile.json')).toContain('1000:2000 llama/.nimlet/profile.json');
    const r = await startReplica(cluster, find(objects, 'Deployment'), 'airgap-nimlet-a', 'none');
    pods.push(r.pod);
    expect(r.pod.net.ip).toBeNull();
    expect(r.requests).toBe(0);
  });
});
