import { describe, expect, it } from 'vitest';
import { dispatch } from './commands';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('subcommand dispatch', () => {
  it('--help lists pgpool options and the runbook subcommands; -v prints the version', async () => {
    const c = capture();
    expect(await dispatch(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(
      /--check-config[\s\S]*-m, --mode=SHUTDOWN-MODE[\s\S]*Runbook subcommands[\s\S]*nodes/,
    );
    const v = capture();
    expect(await dispatch(['-v'], v.io)).toBe(0);
    expect(v.out[0]).toMatch(/^pgwarden version \d+\.\d+\.\d+/);
  });

  it('unknown commands and stray arguments are usage errors (exit 2)', async () => {
    const c = capture();
    expect(await dispatch(['frob'], c.io)).toBe(2);
    expect(c.err[0]).toBe('pgwarden: unknown command "frob"\nTry "pgwarden --help" for more information.');
    expect(await dispatch(['stop', 'now'], c.io)).toBe(2);
    expect(c.err[1]).toMatch(/unexpected argument "now"/);
  });

  it('reload with PCP options goes to the runbook (pcp_reload_config), bare reload to the pid file', async () => {
    // Port 1 refuses at once: the runbook's "could not connect" status (3) proves where it went.
    expect(await dispatch(['reload', '-h', '127.0.0.1', '-p', '1', '-U', 'x', '-w'], capture().io)).toBe(3);
    const c = capture();
    expect(await dispatch(['-f', '/nonexistent/pgpool.conf', 'reload'], c.io)).toBe(1);
    expect(c.err.at(-1)).toMatch(/^FATAL: {2}could not read pid file /);
  });
});
