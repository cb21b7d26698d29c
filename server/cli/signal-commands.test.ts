import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reloadCommand, stopCommand } from './signal-commands';

/** A stand-in server: logs the signals it gets and exits on the stop signal given. */
async function fakeServer(exitOn: NodeJS.Signals) {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-sig-'));
  const log = join(dir, 'signals.log');
  const code = `
    const fs = require('fs');
    for (const s of ['SIGHUP','SIGTERM','SIGINT','SIGQUIT']) process.on(s, () => {
      fs.appendFileSync(${JSON.stringify(log)}, s + '\\n');
      if (s === ${JSON.stringify(exitOn)}) process.exit(0);
    });
    fs.writeFileSync(${JSON.stringify(log)}, 'ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  while (!existsSync(log)) await new Promise((r) => setTimeout(r, 20));
  const pidFile = join(dir, 'pgpool.pid');
  writeFileSync(pidFile, `${child.pid}\n`);
  return { child, pidFile, signals: () => readFileSync(log, 'utf8').trim().split('\n').slice(1) };
}
const io = { out: () => undefined, err: () => undefined };

describe('stop and reload', () => {
  it.each([
    ['smart', 'SIGTERM'],
    ['fast', 'SIGINT'],
    ['immediate', 'SIGQUIT'],
  ] as const)('stop -m %s sends %s, waits for exit and removes the pid file', async (mode, signal) => {
    const s = await fakeServer(signal);
    expect(await stopCommand(s.pidFile, mode, io, 20)).toBe(0);
    expect(s.signals()).toEqual([signal]);
    expect(s.child.exitCode ?? (await new Promise((r) => s.child.on('exit', r)))).toBe(0);
    expect(existsSync(s.pidFile)).toBe(false);
  });

  it('reload sends SIGHUP and leaves the server running', async () => {
    const s = await fakeServer('SIGTERM');
    expect(reloadCommand(s.pidFile, io)).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.signals()).toEqual(['SIGHUP']);
    s.child.kill('SIGKILL');
  });

  it('without a pid file both fail with exit 1', async () => {
    const lines: string[] = [];
    const cap = { out: () => undefined, err: (l: string) => lines.push(l) };
    expect(await stopCommand('/nonexistent/pgpool.pid', 'smart', cap)).toBe(1);
    expect(reloadCommand(null, cap)).toBe(1);
    expect(lines).toEqual([
      'FATAL:  could not read pid file /nonexistent/pgpool.pid',
      'FATAL:  could not read pid file (pid_file_name is empty)',
    ]);
  });
});
