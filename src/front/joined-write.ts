// A head and the body bytes that go with it, written to a socket as one Buffer: one write() and one packet. Corked
// writes of a string head and a Buffer took Node's writev path instead, which per call builds arrays, parses the
// encoding's name and copies the string into a malloc'd block: about 4 µs each, twice per relayed request (the
// engine's request, the client's answer), a tenth of the front's user CPU per request (perf, bench/front.mjs
// --tokens 1). Past JOIN_LIMIT the copy would cost more than the writev saves: corked as before.
import type net from 'node:net';

/** Bytes copied into one Buffer at most; a larger body is written beside its head, corked. */
const JOIN_LIMIT = 16 * 1024;

/**
 * Writes `head` (latin1), then `parts`, then `tail` (latin1, framing such as a chunk's CRLF) to `socket` as one
 * piece; returns what socket.write returned for the last of them (false: stop until 'drain'). `transient`: the parts
 * are only valid during the call (a shared read buffer), so they are copied whichever way they are written.
 */
export function writeJoined(socket: net.Socket, head: string, parts: readonly Buffer[], tail = '', transient = false): boolean {
  let size = head.length + tail.length;
  for (const p of parts) size += p.length;
  if (size > JOIN_LIMIT) {
    socket.cork();
    if (head !== '') socket.write(head, 'latin1');
    let ok = true;
    for (const p of parts) ok = socket.write(transient ? Buffer.from(p) : p);
    if (tail !== '') ok = socket.write(tail, 'latin1');
    socket.uncork();
    return ok;
  }
  // allocUnsafe takes small sizes from Node's shared pool: no allocation of its own
  const out = Buffer.allocUnsafe(size);
  let at = head === '' ? 0 : out.write(head, 0, 'latin1');
  for (const p of parts) at += p.copy(out, at);
  if (tail !== '') out.write(tail, at, 'latin1');
  return socket.write(out);
}
