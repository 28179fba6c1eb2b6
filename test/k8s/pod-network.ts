// A network namespace per pod, as a CNI plugin gives one (DESIGN §12): a pause container with `--network none`
// holds it; a veth pair links it to this machine, host end 10.213.N.1/30, pod end 10.213.N.2/30, so two replicas
// can both listen on 8000 and the runner probes each at its own address. The pod reaches this machine's artifact
// server through a forwarder on the host end: no address outside this machine is reachable from the pod.
// The pod's containers join it with `--network container:PAUSE`. An air-gapped pod gets no veth at all.
import net from 'node:net';
import { docker, run } from './docker.js';

export interface PodNetwork {
  pause: string;
  /** the pod's IP, or null when its namespace holds only loopback */
  ip: string | null;
  /** where the pod reaches the artifact server (null without a veth) */
  artifactUrl: string | null;
  close(): Promise<void>;
}

let next = 1;

export async function podNetwork(name: string, image: string, artifactPort: number | null): Promise<PodNetwork> {
  const pause = `${name}-pause`;
  await docker('run', '-d', '--name', pause, '--network', 'none', '--user', '65534', '--entrypoint', 'sleep', image, 'infinity');
  if (artifactPort === null) return { pause, ip: null, artifactUrl: null, close: () => docker('rm', '-f', pause).then(() => undefined) };
  const n = next++;
  const pid = (await docker('inspect', '-f', '{{.State.Pid}}', pause)).trim();
  const host = `10.213.${n}.1`;
  const ip = `10.213.${n}.2`;
  const hostIf = `nlk${process.pid % 1000}h${n}`;
  const podIf = `nlk${process.pid % 1000}p${n}`;
  await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', podIf]);
  await run('ip', ['link', 'set', podIf, 'netns', pid]);
  await run('ip', ['addr', 'add', `${host}/30`, 'dev', hostIf]);
  await run('ip', ['link', 'set', hostIf, 'up']);
  await run('nsenter', ['-t', pid, '-n', 'ip', 'link', 'set', podIf, 'name', 'eth0']);
  await run('nsenter', ['-t', pid, '-n', 'ip', 'addr', 'add', `${ip}/30`, 'dev', 'eth0']);
  await run('nsenter', ['-t', pid, '-n', 'ip', 'link', 'set', 'eth0', 'up']);
  const forwarder = net.createServer((s) => {
    const upstream = net.connect(artifactPort, '127.0.0.1');
    s.pipe(upstream).pipe(s);
    const drop = () => { s.destroy(); upstream.destroy(); };
    s.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, host, resolve));
  const port = (forwarder.address() as net.AddressInfo).port;
  return {
    pause, ip, artifactUrl: `http://${host}:${port}`,
    close: async () => {
      forwarder.close();
      await docker('rm', '-f', pause).catch(() => undefined);
      await run('ip', ['link', 'del', hostIf]).catch(() => undefined); // gone with the namespace already, usually
    },
  };
}
