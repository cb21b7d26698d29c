// Ports: random start in [20000, 32000), O_EXCL lock file per port (shared by the parallel vitest forks and by every
// process using the helper), bind check on 127.0.0.1. Below the ephemeral range (32768+), which benchmarks fill with
// client sockets.

import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isPidAlive, unlinkQuiet } from './proc';
import { installSafetyNet, onEmergencyCleanup } from './safety-net';

const PORT_DIR = '/tmp/pgwarden-ports';
const PORT_MIN = 20000;
const PORT_MAX = 32000; // exclusive; the Linux ephemeral range starts at 32768

export const heldPorts = new Set<number>();

export function lockPath(port: number): string {
  return path.join(PORT_DIR, `${port}.lock`);
}

function tryLockPort(port: number): boolean {
  mkdirSync(PORT_DIR, { recursive: true, mode: 0o1777 });
  const file = lockPath(port);
  try {
    const fd = openSync(file, 'wx', 0o644);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // A lock from a dead process is stale: remove it (old enough that its owner has surely written its pid), but do not
  // take the port in this attempt, so two processes cleaning the same stale lock cannot both believe they own it.
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    const age = Date.now() - statSync(file).mtimeMs;
    if (age > 2000 && (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid))) unlinkSync(file);
  } catch {
    // raced with its owner or another cleaner: fine
  }
  return false;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1 in [20000, 32000), reserved for this process until releasePort() or exit. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
    if (heldPorts.has(port) || !tryLockPort(port)) continue;
    if (await canBind(port)) {
      heldPorts.add(port);
      installSafetyNet();
      return port;
    }
    unlinkQuiet(lockPath(port));
  }
  throw new Error('pg-cluster: no free port found in [20000, 32000)');
}

/** Releases a port reserved by freePort() (removes its lock file if this process owns it). */
export function releasePort(port: number): void {
  if (!heldPorts.delete(port)) return;
  try {
    if (Number(readFileSync(lockPath(port), 'utf8').trim()) === process.pid) unlinkSync(lockPath(port));
  } catch {
    // already gone
  }
}

/** Re-reserves a known port (reused demo cluster); returns false if someone else holds it. */
export function reservePort(port: number): boolean {
  if (heldPorts.has(port)) return true;
  // Twice: the first attempt removes a stale lock left by the previous (killed) owner of a kept cluster.
  if (!tryLockPort(port) && !tryLockPort(port)) return false;
  heldPorts.add(port);
  return true;
}

onEmergencyCleanup(() => {
  for (const port of [...heldPorts]) releasePort(port);
});
