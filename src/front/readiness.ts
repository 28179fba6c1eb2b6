// What `GET /v1/health/ready` answers (DESIGN §11): 200 once the engine's own /health said 200, else 503 with the
// stage nimlet is in, so a startup probe (and a person with curl) sees a 20-minute download progress instead of a
// refused connection. Pure state: the server, the download and the health poll feed it.

export type Stage = 'downloading' | 'starting' | 'ready' | 'unhealthy';

export interface ReadyAnswer {
  status: 200 | 503;
  body: Record<string, unknown>;
}

export interface Readiness {
  stage(): Stage;
  /** Bytes fetched of the bytes to fetch, while the profile downloads. */
  downloading(doneBytes: number, totalBytes: number): void;
  /** The model is in place; the engine is (about to be) started. */
  starting(detail: string): void;
  /** What the engine's /health said; the first 200 is the time to ready. */
  engineHealth(ok: boolean, detail: string): void;
  /** Shutdown or an engine that exited: 503 from now on, whatever the engine says. */
  stop(detail: string): void;
  answer(): ReadyAnswer;
  downloadedBytes(): number;
  /** Seconds from nimlet's start to the first ready; null before. */
  timeToReadySeconds(): number | null;
}

export function createReadiness(now: () => number = () => performance.now()): Readiness {
  const startedAt = now();
  let stage: Stage = 'starting';
  let detail = 'selecting a profile';
  let download = { done: 0, total: 0 };
  let readyAt: number | null = null;
  let stopped = false;
  return {
    stage: () => stage,
    downloading(done, total) {
      download = { done, total };
      if (stopped) return;
      stage = 'downloading';
      detail = 'downloading the model';
    },
    starting(d) {
      if (stopped) return;
      stage = 'starting';
      detail = d;
    },
    engineHealth(ok, d) {
      if (stopped) return;
      if (ok) {
        stage = 'ready';
        readyAt ??= now();
      } else {
        // before the first 200 the engine is still loading; after it, a failing /health is a sick engine
        stage = readyAt === null ? 'starting' : 'unhealthy';
        detail = d;
      }
    },
    stop(d) {
      stopped = true;
      stage = 'unhealthy';
      detail = d;
    },
    answer() {
      if (stage === 'ready') return { status: 200, body: { status: 'ready' } };
      const body: Record<string, unknown> = { status: 'not ready', stage, detail };
      if (stage === 'downloading') body.download = { bytes: download.done, totalBytes: download.total };
      return { status: 503, body };
    },
    downloadedBytes: () => download.done,
    timeToReadySeconds: () => (readyAt === null ? null : (readyAt - startedAt) / 1000),
  };
}
