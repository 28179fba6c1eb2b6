// NIM_MULTI_NODE and the group's variables (DESIGN §2, §14): the operator's and LeaderWorkerSet's spellings, and a
// clear 78 naming the variable for every value that would break the group's rendezvous.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { isNimletError } from '../../src/errors.js';

const lws = { NIM_MULTI_NODE: '1', LWS_LEADER_ADDRESS: 'llama-lws-0.llama-lws.default', LWS_GROUP_SIZE: '2' };
const read = (env: Record<string, string>) => readSettings({ HOME: '/home/u', ...env }, '/').multiNode;

function refusal(env: Record<string, string>): string {
  try {
    read(env);
  } catch (err) {
    if (isNimletError(err) && err.exitCode === 78) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

describe('multi-node settings', () => {
  it('off unless NIM_MULTI_NODE is on', () => {
    expect(read({})).toBeNull();
    expect(read({ ...lws, NIM_MULTI_NODE: '0' })).toBeNull();
  });

  it('the operator\'s leader and worker (MPI mode env) and a bare LeaderWorkerSet pod', () => {
    expect(read({ ...lws, NIM_NUM_COMPUTE_NODES: '2', NIM_NODE_RANK: '0', NIM_LEADER_ROLE: '1', CLUSTER_START_TIMEOUT: '300' }))
      .toEqual({ nodes: 2, rank: 0, leader: true, leaderAddress: 'llama-lws-0.llama-lws.default', port: 29501, leaderTimeoutMs: 300_000 });
    expect(read({ ...lws, NIM_NUM_COMPUTE_NODES: '2', NIM_NODE_RANK: '1', NIM_LEADER_ROLE: '0' })).toMatchObject({ rank: 1, leader: false });
    expect(read({ ...lws, LWS_WORKER_INDEX: '1', NIMLET_LEADER_TIMEOUT: '20' })).toMatchObject({ nodes: 2, rank: 1, leaderTimeoutMs: 20_000 });
  });

  it.each([
    ['no group size', { NIM_MULTI_NODE: '1', LWS_LEADER_ADDRESS: 'a', NIM_NODE_RANK: '0' }, /NIM_MULTI_NODE: is on but the group size is unknown/],
    ['sizes that disagree', { ...lws, NIM_NUM_COMPUTE_NODES: '4', NIM_NODE_RANK: '0' }, /NIM_NUM_COMPUTE_NODES=4 and LWS_GROUP_SIZE=2 disagree/],
    ['a rank outside the group', { ...lws, NIM_NODE_RANK: '2' }, /NIM_NODE_RANK: rank 2 is outside a group of 2/],
    ['no rank', lws, /rank is unknown/],
    ['a leader role on a worker', { ...lws, NIM_NODE_RANK: '1', NIM_LEADER_ROLE: '1' }, /NIM_LEADER_ROLE=1 but the rank is 1/],
    ['a bad leader role', { ...lws, NIM_NODE_RANK: '0', NIM_LEADER_ROLE: 'yes' }, /NIM_LEADER_ROLE: "yes" is not 1 or 0/],
    ['no leader address', { NIM_MULTI_NODE: '1', LWS_GROUP_SIZE: '2', NIM_NODE_RANK: '0' }, /LWS_LEADER_ADDRESS: is not set/],
    ['a bad timeout', { ...lws, NIM_NODE_RANK: '1', NIMLET_LEADER_TIMEOUT: '5m' }, /NIMLET_LEADER_TIMEOUT: "5m" is not a whole number/],
    ['a bad NIM_MULTI_NODE', { ...lws, NIM_MULTI_NODE: 'maybe' }, /NIM_MULTI_NODE="maybe" is not valid/],
  ])('%s is 78 naming the variable', (_name, env, message) => {
    expect(refusal(env)).toMatch(message);
  });
});
