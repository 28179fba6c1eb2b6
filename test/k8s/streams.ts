// Streaming chat completions through a pod's front: each stream's text, and whether it ended with [DONE].
import http from 'node:http';

export interface Stream { firstChunk: Promise<void>; done: Promise<{ status: number; text: string; complete: boolean }> }

export function openStream(host: string, port: number, maxTokens: number): Stream {
  let first!: () => void;
  const firstChunk = new Promise<void>((r) => { first = r; });
  const done = new Promise<{ status: number; text: string; complete: boolean }>((resolve) => {
    const body = JSON.stringify({ model: 'model', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: maxTokens });
    const req = http.request({ host, port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; first(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, complete: text.trimEnd().endsWith('data: [DONE]') }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, text, complete: false }));
    });
    req.on('error', () => { first(); resolve({ status: 0, text: '', complete: false }); });
    req.end(body);
  });
  return { firstChunk, done };
}
