// Multi-node settings (DESIGN §14): one model over a LeaderWorkerSet group. The NIM Operator sets NIM_MULTI_NODE,
// NIM_NUM_COMPUTE_NODES, NIM_NODE_RANK (the pod's worker index) and NIM_LEADER_ROLE; LeaderWorkerSet itself sets
// LWS_LEADER_ADDRESS, LWS_GROUP_SIZE and LWS_WORKER_INDEX on every pod. Both spellings are read; where both are
// given they must agree, since a rank or size that differs between pods breaks the engines' rendezvous. Pure.
import { NimletError } from '../errors.js';
import { readFlag, type Env } from './read.js';

/**
 * The port of the engines' rendezvous on the leader (vLLM --master-port, SGLang --dist-init-addr's port): fixed, so
 * every pod of a group agrees on it without talking first, and documented (docs/multi-node.md) for NetworkPolicies.
 * 29501 is vLLM's own default master_port (vllm/config/parallel.py, ParallelConfig.master_port).
 */
export const RENDEZVOUS_PORT = 29501;

export interface MultiNodeSettings {
  nodes: number;
  /** 0 on the leader, 1..nodes-1 on the workers. */
  rank: number;
  leader: boolean;
  /** LWS_LEADER_ADDRESS: the leader pod's DNS name (or an address). */
  leaderAddress: string;
  port: number;
  /** How long a worker waits for the leader's choice: NIMLET_LEADER_TIMEOUT, else CLUSTER_START_TIMEOUT, else 300 s. */
  leaderTimeoutMs: number;
}

const bad = (name: string, message: string, hint: string): NimletError => new NimletError('bad-config', `${name}: ${message}`, { hint });

function whole(env: Env, name: string, min: number): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > 4096) {
    throw bad(name, `${JSON.stringify(raw)} is not a whole number from ${min} to 4096`, `set ${name} to a whole number, or unset it`);
  }
  return Number(raw);
}

/** Two variables for one value: the first given wins; both given and different is an error naming both. */
function either(env: Env, a: string, b: string, min: number): number | null {
  const x = whole(env, a, min);
  const y = whole(env, b, min);
  if (x !== null && y !== null && x !== y) throw bad(a, `${a}=${x} and ${b}=${y} disagree`, `set only one of them, or make them equal`);
  return x ?? y;
}

function leaderRole(env: Env): boolean | null {
  const raw = env.NIM_LEADER_ROLE?.trim();
  if (raw === undefined || raw === '') return null;
  if (raw === '1' || raw.toLowerCase() === 'true') return true;
  if (raw === '0' || raw.toLowerCase() === 'false') return false;
  throw bad('NIM_LEADER_ROLE', `${JSON.stringify(raw)} is not 1 or 0`, 'set NIM_LEADER_ROLE=1 on the leader and 0 on the workers, or unset it');
}

/** Null unless NIM_MULTI_NODE is on (read as every boolean variable is). */
export function readMultiNode(env: Env): MultiNodeSettings | null {
  if (!readFlag(env, 'NIM_MULTI_NODE')) return null;
  const nodes = either(env, 'NIM_NUM_COMPUTE_NODES', 'LWS_GROUP_SIZE', 1);
  if (nodes === null) throw bad('NIM_MULTI_NODE', 'is on but the group size is unknown', 'set NIM_NUM_COMPUTE_NODES (or run under a LeaderWorkerSet, which sets LWS_GROUP_SIZE)');
  const role = leaderRole(env);
  const rank = either(env, 'NIM_NODE_RANK', 'LWS_WORKER_INDEX', 0) ?? (role === true ? 0 : null);
  if (rank === null) throw bad('NIM_MULTI_NODE', 'is on but this node\'s rank is unknown', 'set NIM_NODE_RANK (0 on the leader), or NIM_LEADER_ROLE=1 on the leader');
  if (rank >= nodes) throw bad('NIM_NODE_RANK', `rank ${rank} is outside a group of ${nodes} nodes (0..${nodes - 1})`, 'set NIM_NODE_RANK below NIM_NUM_COMPUTE_NODES');
  if (role !== null && role !== (rank === 0)) {
    throw bad('NIM_LEADER_ROLE', `NIM_LEADER_ROLE=${role ? 1 : 0} but the rank is ${rank}: the leader is rank 0`, 'give the leader rank 0 and NIM_LEADER_ROLE=1, every worker a rank ≥ 1 and NIM_LEADER_ROLE=0');
  }
  const leaderAddress = env.LWS_LEADER_ADDRESS?.trim() ?? '';
  if (leaderAddress === '' || /[\s/]/.test(leaderAddress)) {
    throw bad('LWS_LEADER_ADDRESS', leaderAddress === '' ? 'is not set' : `${JSON.stringify(leaderAddress)} is not a host name or address`, 'run under a LeaderWorkerSet (it sets LWS_LEADER_ADDRESS), or set it to the leader\'s host name or address');
  }
  const timeoutS = whole(env, 'NIMLET_LEADER_TIMEOUT', 1) ?? whole(env, 'CLUSTER_START_TIMEOUT', 1) ?? 300;
  return { nodes, rank, leader: rank === 0, leaderAddress, port: RENDEZVOUS_PORT, leaderTimeoutMs: timeoutS * 1000 };
}
