// Runs a pod's containers with docker as a kubelet would (DESIGN §12): the image (every image name maps to the
// locally built one), command/args ($(VAR) expanded), env, envFrom and secretKeyRef (secrets given as files of
// KEY=VALUE lines, passed with --env-file, never on a command line), fieldRef, volume mounts (every
// persistentVolumeClaim is one docker volume; every emptyDir, /dev/shm among them, is a tmpfs), the security
// context (runAsUser/runAsGroup, fsGroup as a supplementary group and the volume's group, as kubelet sets it;
// runAsNonRoot refused for uid 0; dropped capabilities; no privilege escalation) and a GPU request as the
// stand-in nvidia-smi with NVIDIA_VISIBLE_DEVICES. Ignored as a single machine has no use for them:
// nodeSelector, serviceAccountName, imagePullSecrets, cpu/memory requests and limits.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { docker } from './docker.js';
import { podNetwork, type PodNetwork } from './pod-network.js';

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } };
type SecurityContext = { runAsUser?: number; runAsGroup?: number; fsGroup?: number; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[]; add?: string[] }; supplementalGroups?: number[] };
export type Container = {
  name: string; image: string; command?: string[]; args?: string[]; env?: EnvVar[]; envFrom?: Array<{ secretRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>; securityContext?: SecurityContext;
  resources?: { limits?: Record<string, string | number> }; ports?: Array<{ name?: string; containerPort: number }>;
  startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe;
};
export type Probe = { httpGet?: { path: string; port: number | string }; initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number; successThreshold?: number };
type Volume = { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: { medium?: string } };
export type PodSpec = { containers: Container[]; volumes?: Volume[]; securityContext?: SecurityContext; restartPolicy?: string };
export type Pod = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };

export interface Cluster {
  /** the local image every container's image name stands for */
  image: string;
  /** the docker volume every persistentVolumeClaim stands for */
  pvcVolume: string;
  /** secret name → file of KEY=VALUE lines */
  secretFiles: Record<string, string>;
  artifactPort: number;
  /** -v arguments and variables of the stand-in nvidia-smi (test/fixtures/nvidia-smi) */
  gpu: { mounts: string[]; env: Record<string, string> };
  /** test-only additions to every serving container, stated by the test (the stand-in engine) */
  extra: { mounts: string[]; env: Record<string, string> };
  tmp: string;
}

export interface RunningPod { pod: Pod; net: PodNetwork; containers: Map<string, string> }

const secretData = (cluster: Cluster, name: string): Record<string, string> => {
  const file = cluster.secretFiles[name];
  if (!file) throw new Error(`secret ${name} is not given to the runner`);
  return Object.fromEntries(readLines(file).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
};
const readLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('='));

function field(pod: Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2] as string] ?? '';
  if (fieldPath === 'metadata.name') return pod.metadata.name;
  if (fieldPath === 'metadata.namespace') return pod.metadata.namespace ?? 'default';
  throw new Error(`fieldRef ${fieldPath} is not supported by the runner`);
}

/** $(NAME) as Kubernetes expands it in env values, command and args; $$ is a literal $. */
const expand = (s: string, env: Map<string, string>): string =>
  s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string | undefined) => (name === undefined ? '$' : env.get(name) ?? all));

function containerEnv(cluster: Cluster, pod: Pod, c: Container, net: PodNetwork): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) if (from.secretRef) for (const [k, v] of Object.entries(secretData(cluster, from.secretRef.name))) env.set(k, v);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom;
    const value = ref?.secretKeyRef ? secretData(cluster, ref.secretKeyRef.name)[ref.secretKeyRef.key]
      : ref?.fieldRef ? field(pod, ref.fieldRef.fieldPath) : expand(e.value ?? '', env);
    if (value === undefined) throw new Error(`${pod.metadata.name}: secret key ${ref?.secretKeyRef?.key} is missing: the container would not start`);
    env.set(e.name, value);
  }
  const gpus = Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0);
  if (gpus > 0) {
    env.set('NVIDIA_VISIBLE_DEVICES', Array.from({ length: gpus }, (_, i) => i).join(','));
    for (const [k, v] of Object.entries(cluster.gpu.env)) env.set(k, v);
  }
  if (net.artifactUrl) env.set('NIMLET_NGC_ENDPOINT', net.artifactUrl);
  if (!c.command) for (const [k, v] of Object.entries(cluster.extra.env)) env.set(k, v); // serving containers only
  return env;
}

/** kubelet's fsGroup handling of a volume: group fsGroup, group read-write, setgid folders. */
async function applyFsGroup(cluster: Cluster, gid: number): Promise<void> {
  await docker('run', '--rm', '--network', 'none', '--user', '0', '-v', `${cluster.pvcVolume}:/v`, '--entrypoint', 'sh', cluster.image, '-c',
    `chgrp -R ${gid} /v && chmod -R g+rwX /v && find /v -type d -exec chmod g+s {} +`);
}

function dockerArgs(cluster: Cluster, pod: Pod, c: Container, net: PodNetwork, envFile: string, network: string[]): string[] {
  const psc = pod.spec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const uid = sc.runAsUser ?? psc.runAsUser;
  const gid = sc.runAsGroup ?? psc.runAsGroup;
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) && (uid === undefined || uid === 0)) throw new Error(`${c.name}: runAsNonRoot with uid ${uid ?? 'of the image'}`);
  const args = ['run', '-d', ...network, '--env-file', envFile];
  if (uid !== undefined) args.push('--user', gid === undefined ? `${uid}` : `${uid}:${gid}`);
  for (const g of [psc.fsGroup, ...(psc.supplementalGroups ?? [])]) if (g !== undefined) args.push('--group-add', String(g));
  for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of sc.capabilities?.add ?? []) args.push('--cap-add', cap);
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const m of c.volumeMounts ?? []) {
    const v = pod.spec.volumes?.find((x) => x.name === m.name);
    const ro = m.readOnly ? ',readonly' : '';
    if (v?.persistentVolumeClaim) args.push('--mount', `type=volume,src=${cluster.pvcVolume},dst=${m.mountPath}${ro}`);
    else if (v?.emptyDir) args.push('--mount', `type=tmpfs,dst=${m.mountPath},tmpfs-mode=1777${ro}`);
    else throw new Error(`${c.name}: volume ${m.name} is not one the runner supports`);
  }
  if (Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0) > 0) args.push(...cluster.gpu.mounts);
  if (!c.command) args.push(...cluster.extra.mounts);
  return args;
}

/** Starts a pod: its network namespace, then its containers (Kubernetes' command = docker's entrypoint). */
export async function startPod(cluster: Cluster, pod: Pod, opts: { network: 'veth' | 'none' }): Promise<RunningPod> {
  const name = `k8s-${process.pid}-${pod.metadata.name}`;
  const net = await podNetwork(name, cluster.image, opts.network === 'veth' ? cluster.artifactPort : null);
  const containers = new Map<string, string>();
  const fsGroup = pod.spec.securityContext?.fsGroup;
  if (fsGroup !== undefined && pod.spec.volumes?.some((v) => v.persistentVolumeClaim)) await applyFsGroup(cluster, fsGroup);
  for (const c of pod.spec.containers) {
    const env = containerEnv(cluster, pod, c, net);
    const envFile = path.join(cluster.tmp, `${name}-${c.name}.env`);
    writeFileSync(envFile, [...env].map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    const network = opts.network === 'veth' ? ['--network', `container:${net.pause}`] : ['--network', 'none'];
    const args = [...dockerArgs(cluster, pod, c, net, envFile, network), '--name', `${name}-${c.name}`];
    const rest = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map((a) => expand(a, env));
    if (c.command) args.push('--entrypoint', expand(c.command[0] as string, env));
    await docker(...args, cluster.image, ...rest);
    containers.set(c.name, `${name}-${c.name}`);
  }
  return { pod, net, containers };
}

/** Deletes a pod as the API server and kubelet do: SIGTERM, the grace period, SIGKILL; then its namespace. */
export async function deletePod(p: RunningPod, graceSeconds: number): Promise<void> {
  await Promise.all([...p.containers.values()].map((c) => docker('stop', '-t', String(graceSeconds), c).catch(() => undefined)));
  await p.net.close();
}

export async function removePod(p: RunningPod): Promise<void> {
  await Promise.all([...p.containers.values()].map((c) => docker('rm', '-f', c).catch(() => undefined)));
  await p.net.close();
}

/** A pod template of a Deployment or Job as the pod its controller creates. */
export function podFromTemplate(name: string, template: { metadata?: Pod['metadata'] | undefined; spec: PodSpec }, namespace = 'default'): Pod {
  return { metadata: { ...template.metadata, name, namespace }, spec: template.spec };
}
