import { describe, expect, it } from 'vitest';
import { runShellCommand } from './run-command';

describe('runShellCommand', () => {
  it('captures stdout and stderr and the exit code', async () => {
    const r = await runShellCommand('echo out; echo err >&2; exit 3', { timeoutMs: 5000 });
    expect(r).toMatchObject({ exitCode: 3, timedOut: false, signal: null });
    expect(r.output).toContain('out');
    expect(r.output).toContain('err');
  });

  it('kills the whole process group when the time limit expires', async () => {
    const t0 = Date.now();
    const r = await runShellCommand('echo started; (sleep 30; echo child-survived) & sleep 30', {
      timeoutMs: 300,
    });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.output).toContain('started');
    expect(r.output).not.toContain('child-survived');
  });

  it('returns when the script exits even if a background child keeps its pipes open', async () => {
    const t0 = Date.now();
    const r = await runShellCommand('(sleep 5) & echo done', { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('done');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('runs through /bin/sh -c (shell syntax, no quoting added)', async () => {
    const r = await runShellCommand('a=1; [ "$a" = 1 ] && printf "%s" ok', { timeoutMs: 5000 });
    expect(r.output).toBe('ok');
    expect(r.exitCode).toBe(0);
  });
});
