import { mkdtemp, mkdir, readdir, readFile, readlink, rm, writeFile, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive } from '../../src/cache/extract.js';
import { NimletError } from '../../src/errors.js';
import { tarBytes, type RawEntry } from '../support/tar-writer.js';

let sandbox: string;
let outside: string;

beforeEach(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'nimlet-extract-'));
  outside = path.join(sandbox, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'keep.txt'), 'original');
});
afterEach(() => rm(sandbox, { recursive: true, force: true }));

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir, { recursive: true })).sort()) out.push(String(name));
  return out;
}

async function refuse(entries: RawEntry[], reason: RegExp): Promise<void> {
  const archive = path.join(sandbox, 'a.tar');
  await writeFile(archive, tarBytes(entries));
  const before = await tree(sandbox);
  const target = path.join(sandbox, 'work', 'target');
  await mkdir(path.dirname(target));
  const err = await extractArchive(archive, target, 'model.tar').then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NimletError);
  expect((err as NimletError).code).toBe('io');
  expect((err as NimletError).message).toMatch(/^refused to unpack model\.tar: /);
  expect((err as NimletError).message).toMatch(reason);
  // nothing written outside the target, and the target itself removed
  expect(await tree(sandbox)).toEqual([...before, 'work'].sort());
  expect(await readFile(path.join(outside, 'keep.txt'), 'utf8')).toBe('original');
  expect(await readdir(path.join(sandbox, 'work'))).toEqual([]);
}

const file = (name: string, text = 'x'): RawEntry => ({ name, type: '0', data: Buffer.from(text) });

describe('extractArchive refuses hostile archives', () => {
  it('an absolute path', () => refuse([file('ok.txt'), file(path.join(sandbox, 'outside', 'evil.txt'))], /absolute/));
  it('a .. path', () => refuse([file('../outside/evil.txt')], /contains '\.\.'/));
  it('a .. path hidden inside', () => refuse([file('a/b/../../../outside/evil.txt')], /contains '\.\.'/));
  it('a symlink pointing outside, then a file through it', () =>
    refuse([{ name: 'link', type: '2', linkname: outside }, file('link/evil.txt')], /symlink target .* is absolute/));
  it('a relative symlink pointing outside', () =>
    refuse([{ name: 'link', type: '2', linkname: '../outside' }, file('link/evil.txt')], /points outside/));
  it('a file written through an inside symlink', () =>
    refuse([{ name: 'd', type: '5' }, { name: 'link', type: '2', linkname: 'd' }, file('link/evil.txt')], /goes through or replaces the symlink link/));
  it('a symlink chained through another symlink', () =>
    refuse([{ name: 'deep', type: '5' }, { name: 'deep/up', type: '2', linkname: '..' }, { name: 'esc', type: '2', linkname: 'deep/up/..' }], /through another symlink/));
  it('the same chain with the outer link first: each target looks inside as text, the two resolve outside', () => {
    const deep = Array.from({ length: 12 }, (_, i) => `d${i}`).join('/');
    return refuse([
      { name: 'esc', type: '2', linkname: `${deep}/up${'/..'.repeat(12)}` },
      ...deep.split('/').map((_, i, all) => ({ name: all.slice(0, i + 1).join('/'), type: '5' as const })),
      { name: `${deep}/up`, type: '2', linkname: Array(12).fill('..').join('/') },
    ], /esc points outside the archive/);
  });
  it('a symlink to nothing', () => refuse([{ name: 'dangling', type: '2', linkname: 'missing/weights.bin' }], /dangling is a symlink to nothing/));
  it('a hard link outside', () => refuse([{ name: 'hl', type: '1', linkname: path.join(outside, 'keep.txt') }], /absolute/));
  it('a hard link with ..', () => refuse([{ name: 'hl', type: '1', linkname: '../outside/keep.txt' }], /contains '\.\.'/));
  it('a hard link to nothing earlier', () => refuse([{ name: 'hl', type: '1', linkname: 'later.txt' }, file('later.txt')], /no earlier file/));
  it('a file and then a path through it', () => refuse([file('x'), file('x/y')], /"x": entries collide, one path is both a file and a folder \(EEXIST on mkdir\)/));
  it('a folder with files and then a file of its name', () => refuse([{ name: 'x', type: '5' }, file('x/y'), file('x')], /"x": entries collide/));
  it('a character device', () => refuse([{ name: 'null', type: '3' }], /CharacterDevice is not allowed/));
  it('a block device', () => refuse([{ name: 'sda', type: '4' }], /BlockDevice is not allowed/));
  it('a FIFO', () => refuse([{ name: 'pipe', type: '6' }], /FIFO is not allowed/));
  it('a 10,000-deep path', () => refuse([{ ...file('a/'.repeat(10_000) + 'f'), pax: true }], /path is longer than 4096 characters/));
  it('a 100-deep path', () => refuse([{ ...file('a/'.repeat(100) + 'f'), pax: true }], /101 levels deep \(limit 64\)/));
  it('an entry larger than its header declares', () =>
    refuse([{ name: 'big.bin', type: '0', data: Buffer.alloc(4096, 0x41), declaredSize: 10 }, file('after.txt')], /TAR_ENTRY_INVALID: checksum failure/));
  it('a bad entry after many files: refused only once every file tar opened is closed, so the clean-up cannot race it', async () => {
    // Before the fix, strict node-tar rejected at the bad header while these files' writes were still in flight,
    // and removing the target raced them (ENOTEMPTY, or files left behind).
    const many = Array.from({ length: 64 }, (_, i) => ({ name: `f${i}.bin`, type: '0' as const, data: Buffer.alloc(64 * 1024, i) }));
    for (let round = 0; round < 5; round++) {
      await rm(path.join(sandbox, 'work'), { recursive: true, force: true });
      await refuse([...many, { name: 'big.bin', type: '0', data: Buffer.alloc(4096, 0x41), declaredSize: 10 }], /TAR_ENTRY_INVALID: checksum failure/);
    }
  });
  it('an entry over the size cap', async () => {
    const archive = path.join(sandbox, 'a.tar');
    await writeFile(archive, tarBytes([file('a.bin', 'x'.repeat(2000))]));
    const target = path.join(sandbox, 't');
    const limits = { maxEntryBytes: 1000, maxTotalBytes: 10_000, maxDepth: 64, maxPathLength: 4096, maxEntries: 10 };
    await expect(extractArchive(archive, target, 'm.tar', limits)).rejects.toThrow(/entry of 2000 bytes is larger than the limit of 1000/);
    await expect(lstat(target)).rejects.toThrow(/ENOENT/);
  });
  it('entries together over the total cap (what the free disk allows)', async () => {
    const archive = path.join(sandbox, 'a.tar');
    await writeFile(archive, tarBytes([file('a.bin', 'x'.repeat(600)), file('b.bin', 'y'.repeat(600))]));
    const limits = { maxEntryBytes: 1000, maxTotalBytes: 1000, maxDepth: 64, maxPathLength: 4096, maxEntries: 10 };
    await expect(extractArchive(archive, path.join(sandbox, 't'), 'm.tar', limits)).rejects.toThrow(/"b\.bin": entries total more than 1000 bytes/);
  });
  it('garbage that is no tar at all', async () => {
    const archive = path.join(sandbox, 'a.tar');
    await writeFile(archive, Buffer.alloc(3000, 0x5a));
    await expect(extractArchive(archive, path.join(sandbox, 't'), 'm.tar')).rejects.toThrow(/refused to unpack m\.tar/);
  });
});

describe('extractArchive unpacks a sound archive', () => {
  // issue 11 fault 8: a setuid/setgid/sticky bit from an archive would make a root-owned executable in the cache
  it('drops setuid, setgid and sticky bits from files and folders', async () => {
    const archive = path.join(sandbox, 'a.tar');
    await writeFile(archive, tarBytes([
      { name: 'bin', type: '5', mode: 0o3777 },
      { ...file('bin/tool', '#!/bin/sh\n'), mode: 0o6755 },
    ]));
    const target = path.join(sandbox, 'out');
    await extractArchive(archive, target, 'tools.tar');
    expect((await lstat(path.join(target, 'bin/tool'))).mode & 0o7777).toBe(0o755);
    expect((await lstat(path.join(target, 'bin'))).mode & 0o7000).toBe(0);
  });

  it('files, folders, an inside symlink and a hard link, from tar.gz', async () => {
    const archive = path.join(sandbox, 'a.tar.gz');
    await writeFile(
      archive,
      gzipSync(tarBytes([
        { name: 'engine', type: '5' },
        file('engine/rank0.engine', 'weights'),
        file('engine/config.json', '{}'),
        { name: 'engine/latest', type: '2', linkname: 'rank0.engine' },
        { name: 'copy.engine', type: '1', linkname: 'engine/rank0.engine' },
        { ...file('long/' + 'n'.repeat(150) + '.txt', 'long name'), pax: true },
      ])),
    );
    const target = path.join(sandbox, 'out');
    await extractArchive(archive, target, 'engine.tar.gz');
    expect(await readFile(path.join(target, 'engine/rank0.engine'), 'utf8')).toBe('weights');
    expect(await readlink(path.join(target, 'engine/latest'))).toBe('rank0.engine');
    expect(await readFile(path.join(target, 'copy.engine'), 'utf8')).toBe('weights');
    expect(await readFile(path.join(target, 'long', 'n'.repeat(150) + '.txt'), 'utf8')).toBe('long name');
    expect(await tree(sandbox)).not.toContain('outside/evil.txt');
  });
});
