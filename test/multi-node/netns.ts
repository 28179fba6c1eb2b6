// Network namespaces that play the nodes of a LeaderWorkerSet group (DESIGN §12, §14): a bridge in the test's own
// namespace (so the test reaches every node's front) and one namespace per node, joined by a veth, each with an
// address of its own, so every node listens on the same NIM_SERVER_PORT as pods do. Needs root and `ip`; every
// name is unique to this run and removed again.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root (run this test as root, as CI does)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the `ip` command (iproute2) is not installed';
  }
  return null;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export interface Group {
  /** Each node's namespace and address, rank 0 first. */
  nodes: { ns: string; address: string }[];
  /** Runs a command inside node i's namespace (its own process group, so it can be killed with its children). */
  spawnIn(i: number, argv: string[], env: Record<string, string>): ChildProcess;
  remove(): void;
}

export function createGroup(size: number): Group {
  const id = randomBytes(3).toString('hex');
  const subnet = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}`;
  const bridge = `nmb${id}`;
  const nodes = Array.from({ length: size }, (_, i) => ({ ns: `nimlet-mn-${id}-${i}`, address: `${subnet}.${i + 1}` }));
  const created: (() => void)[] = [];
  const remove = (): void => {
    for (const undo of created.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // already gone
      }
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    created.push(() => ip('link', 'del', bridge));
    ip('addr', 'add', `${subnet}.254/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    nodes.forEach(({ ns, address }, i) => {
      const outside = `nmv${id}${i}`;
      ip('netns', 'add', ns);
      created.push(() => ip('netns', 'del', ns));
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      created.push(() => ip('link', 'del', outside));
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    });
  } catch (err) {
    remove();
    throw err;
  }
  return {
    nodes,
    spawnIn: (i, argv, env) => spawn('ip', ['netns', 'exec', nodes[i]!.ns, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
    remove,
  };
}
