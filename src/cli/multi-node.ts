// A multi-node worker's side of the group (DESIGN §14). The leader's choice is authoritative: a worker asks the
// leader's front for the selected profile (`/v1/metadata`, answered from the moment the leader has selected, before
// its download), then checks that its own GPUs can run that profile. It waits a bounded time: under a
// LeaderWorkerSet the leader's DNS name resolves only once its pod runs, and a leader that never selects must not
// leave workers waiting forever.
import http from 'node:http';
import type { MultiNodeSettings } from '../config/multi-node.js';
import { NimletError } from '../errors.js';
import type { GpuInventory } from '../gpu/types.js';
import type { Evaluation } from '../select/types.js';
import { describeHostGpus } from '../select/units.js';

export interface LeaderChoice {
  profileId: string;
  profileName: string;
  /** The leader's GPUs as it describes them ("8 × H100 (2330:10de)"), for a refusal that names both nodes. */
  leaderGpus: string;
}

const POLL_MS = 1000;

/** One GET of the leader's metadata: its choice, null while it has none yet, or the error that stopped the call. */
function askLeader(host: string, port: number, signal: AbortSignal): Promise<LeaderChoice | null> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/v1/metadata', timeout: 5000, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const meta = JSON.parse(body) as { profile?: { id?: string; name?: string } | null; multiNode?: { gpus?: string } };
          if (res.statusCode !== 200 || !meta.profile?.id) return resolve(null);
          resolve({ profileId: meta.profile.id, profileName: meta.profile.name ?? meta.profile.id, leaderGpus: meta.multiNode?.gpus ?? 'not stated by the leader' });
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}

/** Polls the leader until it has selected; `serverPort` is the leader's NIM_SERVER_PORT (the same on every pod). */
export async function waitForLeader(group: MultiNodeSettings, serverPort: number, signal: AbortSignal, log: (line: string) => void): Promise<LeaderChoice> {
  const deadline = Date.now() + group.leaderTimeoutMs;
  const where = `http://${group.leaderAddress}:${serverPort}/v1/metadata`;
  let last = 'the leader has not selected a profile yet';
  log(`nimlet: worker rank ${group.rank} of ${group.nodes}: waiting for the leader's profile at ${where}`);
  for (;;) {
    try {
      const choice = await askLeader(group.leaderAddress, serverPort, signal);
      if (choice !== null) return choice;
      last = 'the leader answers but has not selected a profile yet';
    } catch (err) {
      if (signal.aborted) throw err;
      last = (err as Error).message;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new NimletError('network', `worker rank ${group.rank}: the leader at ${where} gave no profile within ${group.leaderTimeoutMs / 1000} s (last: ${last})`, {
        hint: 'check that the leader pod runs and its nimlet selected a profile (its log), that LWS_LEADER_ADDRESS resolves from this pod, or raise NIMLET_LEADER_TIMEOUT',
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
}

/** The leader's profile must be runnable on this worker's GPUs too; otherwise a refusal naming both inventories. */
export function checkWorkerFits(choice: LeaderChoice, evaluations: readonly Evaluation[], inventory: GpuInventory, rank: number): void {
  const mine = evaluations.find((e) => e.profile.id === choice.profileId);
  if (mine?.status === 'runnable') return;
  const why = mine === undefined ? 'this node\'s manifest has no such profile' : mine.reasons.join('; ');
  throw new NimletError('profile-not-runnable', `worker rank ${rank} cannot run the leader's profile ${choice.profileId} (${choice.profileName}): ${why}; the leader has ${choice.leaderGpus}, this node has ${describeHostGpus(inventory) || 'no GPU'}`, {
    hint: 'every node of a group needs the same GPUs (schedule the LeaderWorkerSet on one node pool) and the same image and manifest',
  });
}
