import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunServerOptions } from '../main';
import { parseArgs } from './args';
import { resolveConfigPaths } from './paths';
import { startCommand } from './start';

function setup(conf: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-start-'));
  writeFileSync(join(dir, 'pgpool.conf'), conf);
  return dir;
}
const BASE =
  "backend_hostname0 = 'localhost'\nbackend_port0 = 5432\npool_passwd = ''\npid_file_name = 'p.pid'\n";

describe('start in the foreground (-n)', () => {
  it('hands the validated config and the pgpool flags to runServer', async () => {
    const dir = setup(BASE);
    const argv = ['-n', '-D', '-d', '--no-dashboard', '-f', join(dir, 'pgpool.conf')];
    const p = parseArgs(argv);
    const seen: RunServerOptions[] = [];
    const code = await startCommand(
      argv,
      p.options,
      resolveConfigPaths(p.options),
      { out: () => undefined, err: () => undefined },
      {
        runServer: async (o) => void seen.push(o),
      },
    );
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    const o = seen[0]!;
    expect([o.discardStatus, o.dashboard, o.logLevel, o.config.log_min_messages]).toEqual([
      true,
      false,
      'debug',
      'debug1',
    ]);
    expect(o.config.pid_file_name).toBe(join(dir, 'p.pid'));
    expect(o.configPaths.pgpoolConf).toBe(join(dir, 'pgpool.conf'));
  });

  it('refuses to start with an invalid config or a live pid file, without calling runServer', async () => {
    const errs: string[] = [];
    const io = { out: () => undefined, err: (l: string) => errs.push(l) };
    const never = async () => {
      throw new Error('must not run');
    };
    const bad = setup(`${BASE}port = 'abc'\n`);
    const p1 = parseArgs(['-n', '-f', join(bad, 'pgpool.conf')]);
    expect(await startCommand([], p1.options, resolveConfigPaths(p1.options), io, { runServer: never })).toBe(
      1,
    );
    expect(errs.some((l) => l.includes("pgpool.conf:5: port: invalid value 'abc'"))).toBe(true);

    const live = setup(BASE);
    writeFileSync(join(live, 'p.pid'), `${process.pid === 1 ? 2 : 1}\n`); // pid 1 is always alive
    const p2 = parseArgs(['-n', '-f', join(live, 'pgpool.conf')]);
    expect(await startCommand([], p2.options, resolveConfigPaths(p2.options), io, { runServer: never })).toBe(
      1,
    );
    expect(errs.at(-1)).toMatch(/pid file found\. is another pgwarden \(1\) running\?/);
  });
});
