// What keeps a multi-node group whole (DESIGN §14). Every worker holds a connection open to the leader's front
// (GROUP_PATH) while its engine runs. When a worker goes, the leader turns not ready and stops; when the leader
// goes, every worker stops. Either way the pod's container ends, and LeaderWorkerSet's RecreateGroupOnPodRestart
// recreates the whole group — which is what the engines need: a torch/NCCL group does not take a new member, and
// an engine whose peer vanished can hang (until NCCL's watchdog, minutes) with its /health still 200.
// The stop goes through the supervisor's own SIGTERM path: readiness 503 at once, the drain, then the engine.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { MultiNodeSettings } from '../config/multi-node.js';
import { GROUP_PATH } from '../front/server.js';
import type { Logger } from '../log/logger.js';

export interface GroupLink {
  /** The process's signals, plus the SIGTERM a broken group sends: what the supervisor listens to. */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  /** The leader's: called by its front for each worker that joins. */
  onGroupJoin?: (rank: number, left: Promise<void>) => void;
  /** The worker's: hold the connection to the leader from now on (its engine runs). */
  connect(): void;
  /** True once the group broke: the exit is then never 0, so the pod restarts and the group is recreated. */
  broken(): boolean;
}

export function createGroupLink(group: MultiNodeSettings, serverPort: number, logger: Logger): GroupLink {
  const local = new EventEmitter();
  let isBroken = false;
  const breakGroup = (why: string): void => {
    if (isBroken) return;
    isBroken = true;
    logger.error('group_broken', `nimlet: ${why}; stopping so that LeaderWorkerSet recreates the group`, { rank: group.rank, nodes: group.nodes });
    local.emit('SIGTERM');
  };
  const signals = {
    on(sig: string, h: () => void) {
      process.on(sig, h);
      local.on(sig, h);
      // the group broke before the supervisor listened (the leader gone while this engine started): not lost
      if (isBroken && sig === 'SIGTERM') queueMicrotask(h);
      return signals;
    },
    off(sig: string, h: () => void) {
      process.off(sig, h);
      local.off(sig, h);
      return signals;
    },
  } as unknown as Pick<NodeJS.Process, 'on' | 'off'>;
  const joined = new Set<number>();
  return {
    signals,
    broken: () => isBroken,
    ...(group.leader
      ? {
          onGroupJoin(rank: number, left: Promise<void>) {
            joined.add(rank);
            logger.info('group_join', `nimlet: worker rank ${rank} joined (${joined.size} of ${group.nodes - 1})`, { rank });
            void left.then(() => breakGroup(`worker rank ${rank} left the group`));
          },
        }
      : {}),
    connect() {
      if (group.leader) return;
      const path = `${GROUP_PATH}?rank=${group.rank}`;
      const req = http.get({ host: group.leaderAddress, port: serverPort, path, agent: false }, (res) => {
        if (res.statusCode !== 200) return breakGroup(`the leader refused worker rank ${group.rank} (HTTP ${res.statusCode})`);
        res.resume();
        res.on('close', () => breakGroup('the leader left the group'));
      });
      req.on('socket', (s) => s.setKeepAlive(true, 10_000));
      req.on('error', (err) => breakGroup(`the leader cannot be reached (${err.message})`));
    },
  };
}
