import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../../src/log/progress/create-progress.js';
import { formatBytes } from '../../../src/format-bytes.js';
import { formatDuration, progressLine } from '../../../src/log/progress/format.js';

const MiB = 1024 * 1024;
afterEach(() => vi.useRealTimers());

describe('format', () => {
  it.each([[0, '0 B'], [1023, '1023 B'], [1536, '1.5 KiB'], [15 * 1024 ** 3, '15.0 GiB']])('%i bytes → %s', (n, s) => expect(formatBytes(n)).toBe(s));
  it.each<[number | null, string]>([[5, '5s'], [125, '2m 05s'], [3725, '1h 02m'], [null, '--']])('%j s → %s', (n, s) => expect(formatDuration(n)).toBe(s));
  it('a line with bytes, share, rate, ETA and files', () => {
    expect(progressLine({ label: 'llama (vllm-bf16-tp1)', done: 100 * MiB, total: 1000 * MiB, rate: 10 * MiB, filesDone: 3 }))
      .toBe('llama (vllm-bf16-tp1): 100.0 MiB / 1000.0 MiB (10%), 10.0 MiB/s, ETA 1m 30s, 3 files done');
  });
});

describe('honest figures (issue 13 item 2)', () => {
  it('files of unknown size: the line says so, with no share or ETA that would be wrong', () => {
    expect(progressLine({ label: 'trt', done: 100 * MiB, total: 168, unknownSizeFiles: 16, rate: 10 * MiB, filesDone: 1 }))
      .toBe('trt: 100.0 MiB / 168 B + 16 files of unknown size, 10.0 MiB/s, ETA --, 1 file done');
    expect(progressLine({ label: 'trt', done: 5 * MiB, total: 0, unknownSizeFiles: 1, rate: MiB, filesDone: 0 }))
      .toBe('trt: 5.0 MiB (1 file of unknown size), 1.0 MiB/s, ETA --');
  });

  it('a resumed download: "downloaded" is what came now, the resumed part is told apart', () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const p = createProgress({ stderr: (s) => out.push(s), isTTY: false, jsonl: false, totalBytes: 200 * MiB, label: 'm', now: Date.now });
    p.add(180 * MiB); // the partial found on disk
    p.add(20 * MiB); // fetched over the network
    vi.advanceTimersByTime(10_000);
    p.finish(20 * MiB);
    expect(out.at(-1)).toBe('downloaded m: 20.0 MiB in 10s (2.0 MiB/s); 180.0 MiB more were already here (resumed)\n');
  });
});

describe('createProgress', () => {
  it('on a pipe: one plain line per interval, then a summary; nothing after finish', () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const p = createProgress({ stderr: (s) => out.push(s), isTTY: false, jsonl: false, totalBytes: 100 * MiB, label: 'm (p)', now: Date.now });
    p.add(25 * MiB);
    vi.advanceTimersByTime(5000);
    expect(out).toEqual(['m (p): 25.0 MiB / 100.0 MiB (25%), 5.0 MiB/s, ETA 15s\n']);
    p.add(75 * MiB);
    p.fileDone('a.bin');
    vi.advanceTimersByTime(5000);
    p.finish();
    p.finish();
    vi.advanceTimersByTime(20_000);
    expect(out.slice(1)).toEqual([
      'm (p): 100.0 MiB / 100.0 MiB (100%), 10.0 MiB/s, ETA 0s, 1 file done\n',
      'downloaded m (p): 100.0 MiB in 10s (10.0 MiB/s)\n',
    ]);
  });

  it('under NIM_JSONL_LOGGING: JSON lines with the event and figures', () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const p = createProgress({ stderr: (s) => out.push(s), isTTY: true, jsonl: true, totalBytes: 10 * MiB, label: 'm', now: Date.now });
    p.add(5 * MiB);
    vi.advanceTimersByTime(5000);
    p.fileDone('x.json');
    p.fail();
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.event])).toEqual([
      ['info', 'download_progress'], ['info', 'download_file_done'], ['error', 'download_failed'],
    ]);
    expect(lines[0]).toMatchObject({ label: 'm', bytes: 5 * MiB, total: 10 * MiB, rate_bps: MiB, eta_s: 5, files_done: 0, time: '1970-01-01T00:00:05.000Z' });
    expect(lines[1]).toMatchObject({ file: 'x.json', files_done: 1 });
  });

  it('on a terminal: an ora spinner showing bytes, rate and ETA, ending with a tick', async () => {
    let out = '';
    const p = createProgress({ stderr: (s) => (out += s), isTTY: true, jsonl: false, totalBytes: 10 * MiB, label: 'm', intervalMs: 10 });
    p.add(3 * MiB);
    await vi.waitFor(() => expect(out).toContain('3.0 MiB / 10.0 MiB (30%)'), { timeout: 5000 });
    p.add(7 * MiB);
    p.finish();
    const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/✔ downloaded m: 10\.0 MiB in \d+s \([\d.]+ MiB\/s\)\n$/);
    expect(out).toContain('\x1b[32m✔\x1b[39m downloaded m'); // the same tick on every terminal (TERM=linux too), green
    expect(out).toContain('\x1b[?25l'); // ora hid the cursor: it believes it draws on a terminal
  });

  // (Whether colour appears without noColor depends on the environment ora sees, CI=true among it: not asserted.)
  it('noColor (NO_COLOR): no colour codes from the spinner or its final tick', async () => {
    let out = '';
    const p = createProgress({ stderr: (s) => (out += s), isTTY: true, jsonl: false, totalBytes: 10 * MiB, label: 'm', intervalMs: 10, noColor: true });
    p.add(MiB);
    await vi.waitFor(() => expect(out).toContain('1.0 MiB / 10.0 MiB'), { timeout: 5000 });
    p.finish();
    expect(out).toMatch(/✔ downloaded m/);
    expect(out).not.toMatch(/\x1b\[3\dm/);
  });

  it('note(): a line of its own on a pipe, a lock_wait event under JSON lines, and on a terminal a line the spinner goes on below', async () => {
    const line = 'waiting for a.bin (profile p), locked by h pid 7 since 2099-01-01T00:00:00.000Z; taken over if its heartbeat stops for 30 s';
    const piped: string[] = [];
    createProgress({ stderr: (s) => piped.push(s), isTTY: false, jsonl: false, totalBytes: 1, label: 'm' }).note(line);
    expect(piped).toEqual([`${line}\n`]);
    const json: string[] = [];
    createProgress({ stderr: (s) => json.push(s), isTTY: false, jsonl: true, totalBytes: 1, label: 'm' }).note(line);
    expect(JSON.parse(json[0]!)).toMatchObject({ level: 'info', event: 'lock_wait', label: 'm', message: line });
    let out = '';
    const p = createProgress({ stderr: (s) => (out += s), isTTY: true, jsonl: false, totalBytes: 10 * MiB, label: 'm', intervalMs: 10 });
    await vi.waitFor(() => expect(out).toContain('0 B / 10.0 MiB'), { timeout: 5000 });
    p.note(line);
    p.finish();
    // the spinner's line was cleared first (cursor to column 1, erase to the end: tty-stream.ts), so the note
    // stands on a line of its own and the spinner draws again below it
    expect(out).toContain(`\x1b[1G\x1b[0K${line}\n`);
  });
});
