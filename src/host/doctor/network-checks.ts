// Doctor: the NGC and Hugging Face endpoints answer. One HEAD each, 3 s, through HTTPS_PROXY/NO_PROXY; any HTTP
// answer (even 401 or 404) proves the host reachable. undici loads only here.
import type { Settings } from '../../config/env.js';
import { hideUrlUserinfo } from '../../log/redact.js';
import { check, type Check } from './check.js';

const TIMEOUT_MS = 3000;

async function reach(name: string, url: string): Promise<Check> {
  const { request, EnvHttpProxyAgent } = await import('undici');
  const dispatcher = new EnvHttpProxyAgent();
  const shown = hideUrlUserinfo(url); // an endpoint may carry user:password; the report never does
  try {
    const res = await request(url, { method: 'HEAD', dispatcher, signal: AbortSignal.timeout(TIMEOUT_MS), headersTimeout: TIMEOUT_MS });
    await res.body.dump();
    return check(name, 'ok', `${shown} answered HTTP ${res.statusCode}`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (err.code ?? err.cause?.code ?? err.message);
    return check(name, 'warn', `${shown} is unreachable (${why})`,
      'downloads will fail: check DNS, the firewall and HTTPS_PROXY/NO_PROXY, or run offline from a complete cache (NIMLET_OFFLINE=1)');
  } finally {
    await dispatcher.close();
  }
}

export async function checkEndpoints(settings: Settings): Promise<Check[]> {
  if (settings.offline) {
    return [check('endpoints', 'ok', 'not checked: offline mode (HF_HUB_OFFLINE, NIMLET_OFFLINE or NIM_DISABLE_MODEL_DOWNLOAD)')];
  }
  return Promise.all([
    // NIM_REPOSITORY_OVERRIDE replaces NGC for ngc:// sources when it is an HTTP mirror.
    reach('ngc', settings.repositoryOverride !== null && /^https?:\/\//.test(settings.repositoryOverride) ? settings.repositoryOverride : settings.ngcEndpoint),
    reach('huggingface', settings.hfEndpoint),
  ]);
}
