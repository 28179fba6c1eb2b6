// The load generator of bench/front.mjs: closed-loop SSE streams over keep-alive
// connections, timing each stream's first event and counting events inside the measured window.
import http from 'node:http';

/** One closed-loop stream: requests back to back until `stopAt`; TTFB and token counts of those begun after `from`. */
async function loop(port, agent, from, stopAt, out, tokens) {
  const body = JSON.stringify({ model: 'store', stream: true, max_tokens: tokens, messages: [{ role: 'user', content: 'hi' }] });
  while (performance.now() < stopAt) {
    await new Promise((resolve, reject) => {
      const sent = performance.now();
      const measured = sent >= from;
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let first = true;
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          if (first && measured) out.ttfb.push(performance.now() - sent);
          first = false;
          rest += chunk;
          let i;
          while ((i = rest.indexOf('\n\n')) >= 0) {
            if (!rest.startsWith('data: [DONE]') && performance.now() >= from && performance.now() < stopAt) out.tokens++;
            rest = rest.slice(i + 2);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * `streams` closed loops for warmupS + seconds; tokens per second and TTFB quantiles of the measured part.
 * All loops start at once and every request lasts as long, so by default they stay in lock step: every request of
 * every stream arrives in one burst, and TTFB p99 is the time to get through a burst. `staggerMs` starts loop i
 * i/streams of it late (one request's length spreads them evenly), as clients that did not all begin together.
 */
export async function runPhase({ port, streams, tokens, warmupS, seconds, staggerMs = 0 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const from = performance.now() + warmupS * 1000;
  const stopAt = from + seconds * 1000;
  const out = { ttfb: [], tokens: 0 };
  const delay = (i) => new Promise((r) => setTimeout(r, (i * staggerMs) / streams));
  await Promise.all(Array.from({ length: streams }, (_, i) => delay(i).then(() => loop(port, agent, from, stopAt, out, tokens))));
  agent.destroy();
  out.ttfb.sort((a, b) => a - b);
  const q = (p) => out.ttfb[Math.min(out.ttfb.length - 1, Math.floor(p * out.ttfb.length))] ?? NaN;
  return { tokensPerSec: out.tokens / seconds, p50: q(0.5), p99: q(0.99), tokens: out.tokens };
}

