import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStatusFile, parseStatusFile, readStatusFile, writeStatusFile } from './status-file';

describe('pgpool_status (reference §3.1)', () => {
  it('parses up/down/unused, up meaning waiting at start', () => {
    expect(parseStatusFile('up\ndown\nunused\n', 3)).toEqual(['waiting', 'down', 'unused']);
  });
  it('treats a file without any up line as bogus', () => {
    expect(parseStatusFile('down\ndown\n', 2)).toBeNull();
    expect(parseStatusFile('', 2)).toBeNull();
  });
  it('pre-seeded regression 017 file', () => {
    expect(parseStatusFile('down\nup', 2)).toEqual(['down', 'waiting']);
  });
  it('missing lines mean waiting; extra lines are ignored', () => {
    expect(parseStatusFile('up\n', 3)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(parseStatusFile('up\ndown\nup\n', 2)).toEqual(['waiting', 'down']);
  });
  it('writes waiting as up and refuses to write when all nodes are down', () => {
    expect(formatStatusFile(['waiting', 'up', 'down', 'unused'])).toBe('up\nup\ndown\nunused\n');
    expect(formatStatusFile(['down', 'down'])).toBeNull();
    expect(formatStatusFile(['down', 'unused'])).toBeNull();
  });
  it('round-trips through the file system', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-status-'));
    try {
      expect(await readStatusFile(dir, 2)).toBe('missing');
      expect(await writeStatusFile(dir, ['up', 'down'])).toBe(true);
      expect(await readFile(path.join(dir, 'pgpool_status'), 'utf8')).toBe('up\ndown\n');
      expect(await writeStatusFile(dir, ['down', 'down'])).toBe(false);
      expect(await readStatusFile(dir, 2)).toEqual(['waiting', 'down']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
