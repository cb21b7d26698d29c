/**
 * The real command line, spawned as users run it. --check-config must connect to nothing: the fixtures name
 * 192.168.x / 10.155.x hosts, and these tests would hang or fail on a connect attempt.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'tests/fixtures/configs');

function pgwarden(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PGWARDEN_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pgwarden --check-config', () => {
  it("exits 1 and prints file:line: port: reason for port = 'abc'", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgwarden-cli-'));
    const file = join(dir, 'pgpool.conf');
    writeFileSync(file, "listen_addresses = '*'\nport = 'abc'\n");
    const r = pgwarden('--check-config', '-f', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:2: port: invalid value 'abc': expected an integer between 1 and 65535`);
    expect(r.err).toContain('test failed (1 error,');
  }, 60_000);

  it.each(['replication-3nodes', 'streaming-watchdog'])(
    'exits 0 for the issue config %s',
    (name) => {
      const file = join(FIXTURES, name, 'pgpool.conf');
      const r = pgwarden('-f', file, '--check-config');
      expect(r.err).not.toContain('ERROR:');
      expect(r.out).toContain(`configuration file ${file} test is successful (0 errors,`);
      expect(r.code).toBe(0);
    },
    60_000,
  );

  it('exits 1 when the file does not exist, and 2 on a bad option', () => {
    const missing = pgwarden('--check-config', '--config-file=/nonexistent/pgpool.conf');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('/nonexistent/pgpool.conf: could not read pgpool.conf: file not found');
    const bad = pgwarden('--check-config', '-q');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("invalid option -- 'q'");
  }, 60_000);
});
