import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../engine/runtime/logger';
import { resolvePidFile, writePidFile } from './pid-file';

describe('pid file (pgpool semantics)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-pid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a relative pid_file_name from the directory of pgpool.conf', () => {
    expect(resolvePidFile('run/pgwarden.pid', '/etc/pgwarden/pgpool.conf')).toBe(
      '/etc/pgwarden/run/pgwarden.pid',
    );
    expect(resolvePidFile('', '/etc/pgwarden/pgpool.conf')).toBeNull();
  });

  it('writes our pid and removes it at exit', () => {
    const file = join(dir, 'a.pid');
    const remove = writePidFile(file, silentLogger);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    remove();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses to start when the file names a live process, and overwrites a stale one', () => {
    const file = join(dir, 'b.pid');
    writeFileSync(file, `${process.ppid}\n`); // a live process that is not us
    expect(() => writePidFile(file, silentLogger)).toThrow(/is another pgwarden .* running/);
    writeFileSync(file, '999999999\n'); // no such process
    const remove = writePidFile(file, silentLogger);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    remove();
  });
});
