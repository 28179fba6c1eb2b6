// `GET /v1/metrics` (DESIGN §11): the engine's Prometheus text as it is (the operator scrapes one path), then
// nimlet's own series. The engine's part is best effort: before the engine listens, or while it hangs, the
// scrape still gets nimlet's series and a comment saying why the engine's are missing.
import { askEngine } from './engine-ask.js';
import type { Upstream } from './proxy.js';

export interface OwnMetrics {
  downloadedBytes: number;
  timeToReadySeconds: number | null;
  inFlight: number;
  requestsTotal: number;
}

export function formatOwnMetrics(m: OwnMetrics): string {
  const lines = [
    '# HELP nimlet_download_bytes_total Bytes of model files this nimlet downloaded.',
    '# TYPE nimlet_download_bytes_total counter',
    `nimlet_download_bytes_total ${m.downloadedBytes}`,
    "# HELP nimlet_time_to_ready_seconds Seconds from nimlet's start to the engine's first healthy answer.",
    '# TYPE nimlet_time_to_ready_seconds gauge',
    // no sample before ready: a scrape must not read a 0 as "ready at once"
    ...(m.timeToReadySeconds === null ? [] : [`nimlet_time_to_ready_seconds ${m.timeToReadySeconds.toFixed(3)}`]),
    '# HELP nimlet_requests_in_flight Requests the front is serving now.',
    '# TYPE nimlet_requests_in_flight gauge',
    `nimlet_requests_in_flight ${m.inFlight}`,
    '# HELP nimlet_requests_total Requests the front has received.',
    '# TYPE nimlet_requests_total counter',
    `nimlet_requests_total ${m.requestsTotal}`,
  ];
  return lines.join('\n') + '\n';
}

/** The engine's `/metrics` text, or a Prometheus comment saying why there is none. */
export async function fetchEngineMetrics(upstream: Upstream | null, timeoutMs = 2000): Promise<string> {
  if (upstream === null) return '# nimlet: the engine is not started yet\n';
  try {
    const { status, body } = await askEngine(upstream, '/metrics', timeoutMs);
    if (status !== 200) return `# nimlet: the engine's /metrics answered ${status}\n`;
    const text = body.toString('utf8');
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (err) {
    return `# nimlet: the engine's /metrics is not answering (${(err as Error).message})\n`;
  }
}
