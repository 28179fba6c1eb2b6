// The load generator of bench/front.mjs: closed-loop SSE streams over keep-alive connections, timing each stream's
// first event and counting events inside the measured window.
// Two clients, one wire: `raw` (the default) speaks HTTP/1.1 on a bare socket, one read buffer for all streams, a
// chunked walker that counts events without making strings; `http` is node:http's client, what the bench used up to
// stop 24. The load generator shares the machine's two cores with the engine and the process in the middle; on a
// real deployment the clients are elsewhere. node:http's client took a third of a core at 512 streams, and every
// row's TTFB paid for it in run-queue waits (perf sched: its wake-ups waited 0.6 s in 4 s through nimlet).
import http from 'node:http';
import net from 'node:net';

const requestBody = (tokens) => JSON.stringify({ model: 'store', stream: true, max_tokens: tokens, messages: [{ role: 'user', content: 'hi' }] });

/** One closed-loop stream through node:http: requests back to back until `stopAt`; TTFB and tokens of those begun after `from`. */
async function httpLoop(port, agent, from, stopAt, out, tokens) {
  const body = requestBody(tokens);
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
 * An answer read off the wire: a 200 head, then a chunked body whose SSE events ("…\n\n") are counted as they pass.
 * `feed` returns the events whose end was in the slice, -1 once the answer is whole.
 */
class AnswerReader {
  head = ''; // the head's text so far (it may come in pieces)
  inBody = false;
  phase = 0; // 0 size line, 1 data, 2 CRLF after data, 3 the last chunk's CRLF
  left = 0; // data bytes left in this chunk
  size = 0;
  lastLF = false; // the data so far ends with LF (an event's "\n\n" can span slices)

  reset() {
    this.head = '';
    this.inBody = false;
    this.phase = 0;
    this.size = 0;
    this.lastLF = false;
  }

  feed(buf, start, end) {
    let i = start;
    if (!this.inBody) {
      this.head += buf.latin1Slice(start, end);
      const at = this.head.indexOf('\r\n\r\n');
      if (at < 0) return 0;
      if (!this.head.startsWith('HTTP/1.1 200 ') || !/\r\ntransfer-encoding: *chunked\r\n/i.test(this.head.slice(0, at + 2))) throw new Error(`not a chunked 200: ${JSON.stringify(this.head.slice(0, 200))}`);
      i = end - (this.head.length - at - 4);
      this.inBody = true;
    }
    let events = 0;
    while (i < end) {
      const c = buf[i];
      if (this.phase === 1) {
        const stop = Math.min(end, i + this.left);
        for (let j = i; j < stop; j++) {
          if (buf[j] === 10) {
            if (this.lastLF) events++;
            this.lastLF = true;
          } else this.lastLF = false;
        }
        this.left -= stop - i;
        i = stop;
        if (this.left === 0) this.phase = 2;
      } else if (this.phase === 0) {
        i++;
        if (c === 10) {
          this.phase = this.size === 0 ? 3 : 1;
          this.left = this.size;
          this.size = 0;
        } else if (c !== 13) {
          const h = c <= 57 ? c - 48 : (c | 32) - 87;
          if (h < 0 || h > 15) throw new Error('bad chunk size');
          this.size = this.size * 16 + h;
        }
      } else {
        i++;
        if (c === 10) {
          if (this.phase === 3) return events > 0 ? -1 - events : -1;
          this.phase = 0;
        }
      }
    }
    return events;
  }
}

/** One read buffer for every stream: a read is handled whole before the next. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One closed-loop stream on its own keep-alive socket; as httpLoop. Each answer's last event is its [DONE]. A
 * connection the server closed before any byte of an answer (its keep-alive ended) is opened again and the request
 * sent again, as node:http's agent does; one closed mid-answer fails the run.
 */
function rawLoop(port, from, stopAt, out, tokens) {
  const body = requestBody(tokens);
  const request = Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  return new Promise((resolve, reject) => {
    const reader = new AnswerReader();
    let socket;
    let sent = 0;
    let first = true;
    let lastInWindow = false; // the last event counted was inside the window (taken back if it was the [DONE])
    let finished = false;
    let reopened = 0; // connections opened again in a row without an answer
    const fail = (err) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      reject(err);
    };
    const next = () => {
      if (performance.now() >= stopAt) {
        finished = true;
        socket.destroy();
        return resolve();
      }
      reader.reset();
      first = true;
      sent = performance.now();
      socket.write(request);
    };
    const read = (n, buf) => {
      const now = performance.now();
      let events;
      try {
        events = reader.feed(buf, 0, n);
      } catch (err) {
        return fail(err), false;
      }
      const done = events < 0;
      const count = done ? -1 - events : events;
      // time to the first whole SSE event
      if (first && count > 0) {
        if (sent >= from) out.ttfb.push(now - sent);
        first = false;
      }
      if (count > 0) {
        lastInWindow = now >= from && now < stopAt;
        if (lastInWindow) out.tokens += count;
      }
      if (done) {
        if (lastInWindow) out.tokens--;
        lastInWindow = false;
        reopened = 0;
        next();
      }
      return true;
    };
    const open = () => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true, onread: { buffer: readBuffer, callback: read } });
      socket = s;
      s.on('connect', next);
      s.on('error', () => undefined); // 'close' follows and decides
      s.on('close', () => {
        if (finished || s !== socket) return;
        const untouched = reader.head === '' && !reader.inBody;
        if (untouched && reopened++ < 3) return open();
        fail(new Error(untouched ? 'the server closed three new connections in a row before answering' : 'the connection closed mid-answer'));
      });
    };
    open();
  });
}

/**
 * `streams` closed loops for warmupS + seconds; tokens per second and TTFB quantiles of the measured part.
 * All loops start at once and every request lasts as long, so by default they stay in lock step: every request of
 * every stream arrives in one burst, and TTFB p99 is the time to get through a burst. `staggerMs` starts loop i
 * i/streams of it late (one request's length spreads them evenly), as clients that did not all begin together.
 */
export async function runPhase({ port, streams, tokens, warmupS, seconds, staggerMs = 0, client = 'raw' }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const from = performance.now() + warmupS * 1000;
  const stopAt = from + seconds * 1000;
  const out = { ttfb: [], tokens: 0 };
  const delay = (i) => new Promise((r) => setTimeout(r, (i * staggerMs) / streams));
  const loop = () => (client === 'http' ? httpLoop(port, agent, from, stopAt, out, tokens) : rawLoop(port, from, stopAt, out, tokens));
  await Promise.all(Array.from({ length: streams }, (_, i) => delay(i).then(loop)));
  agent.destroy();
  out.ttfb.sort((a, b) => a - b);
  const q = (p) => out.ttfb[Math.min(out.ttfb.length - 1, Math.floor(p * out.ttfb.length))] ?? NaN;
  return { tokensPerSec: out.tokens / seconds, p50: q(0.5), p99: q(0.99), tokens: out.tokens, ttfb: out.ttfb };
}
