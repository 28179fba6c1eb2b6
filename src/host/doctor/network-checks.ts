// Doctor: the NGC and Hugging Face endpoints answer. One HEAD each, 3 s (NIMLET_DOCTOR_TIMEOUT_MS), through
// HTTPS_PROXY/NO_PROXY; any HTTP answer (even 401 or 404) proves the host reachable. undici loads only here.
import type { Settings } from '../../config/env.js';
import { hideUrlUserinfo } from '../../log/redact.js';
import { check, type Check } from './check.js';

async function reach(name: string, url: string, timeoutMs: number): Promise<Check> {
  const { request, EnvHttpProxyAgent } = await import('undici');
  const dispatcher = new EnvHttpProxyAgent();
  const shown = hideUrlUserinfo(url); // an endpoint may carry user:password; the report never does
  try {
    const res = await request(url, { method: 'HEAD', dispatcher, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs });
    await res.body.dump();
    return check(name, 'ok', `${shown} answered HTTP ${res.statusCode}`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : (err.code ?? err.cause?.code ?? err.message);
    return check(name, 'warn', `${shown} is unreachable (${why})`,
      'downloads will fail: check DNS, the firewall and HTTPS_PROXY/NO_PROXY, or run offline from a complete cache (NIMLET_OFFLINE=1)');
  } finally {
    await dispatcher.close();
  }
}

/**
 * `uses(scheme)`: whether the manifest fetches from that hub (doctor's manifest check knows). An endpoint no source
 * needs is not reached: an HF-only manifest gets no warning about NGC being unreachable, which would not matter.
 */
export async function checkEndpoints(settings: Settings, timeoutMs: number, uses: (scheme: string) => boolean): Promise<Check[]> {
  if (settings.offline) {
    return [check('endpoints', 'ok', 'not checked: offline mode (HF_HUB_OFFLINE, NIMLET_OFFLINE or NIM_DISABLE_MODEL_DOWNLOAD)')];
  }
  const unused = (name: string, scheme: string) => check(name, 'ok', `not checked: no ${scheme} source in the manifest`);
  return Promise.all([
    // NIM_REPOSITORY_OVERRIDE replaces NGC for ngc:// sources when it is an HTTP mirror.
    uses('ngc://')
      ? reach('ngc', settings.downloads.repository?.kind === 'mirror' ? settings.downloads.repository.base : settings.ngcEndpoint, timeoutMs)
      : unused('ngc', 'ngc://'),
    uses('hf://') ? reach('huggingface', settings.hfEndpoint, timeoutMs) : unused('huggingface', 'hf://'),
  ]);
}
