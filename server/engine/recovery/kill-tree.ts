/**
 * Interrupting a recovery script (EngineApi.cancelRecovery while a stage's script runs).
 * - direct runner: the script is spawned in its own process group; cancel signals the group (SIGTERM, then SIGKILL
 *   after a grace period), so pg_basebackup, rsync, sleep... started by the script end with it.
 * - extension runner: the script is a child of the PostgreSQL backend running pgpool_recovery(), started by
 *   system(), which ignores SIGINT in the backend: pg_cancel_backend alone only takes effect once the script has
 *   ended. So when that backend runs on this host (its /proc/<pid>/cwd is the main node's data directory), pgwarden
 *   signals the backend's descendant processes (the script's sh and everything below it), never the backend itself;
 *   then it cancels the statement. With a main node on another host only pg_cancel_backend is possible.
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';

/** Time between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3000;

/** Linux /proc: every process's parent. */
async function parents(): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may contain spaces and parentheses, so parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    if (Number.isInteger(ppid)) map.set(Number(name), ppid);
  }
  return map;
}

/** All descendants of `root` (not root itself), parents before children. */
export async function descendants(root: number): Promise<number[]> {
  const ppid = await parents();
  const children = new Map<number, number[]>();
  for (const [pid, parent] of ppid) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** True when `pid` is a process on this host whose working directory is `dataDir` (a backend of that cluster). */
export async function isLocalBackend(pid: number, dataDir: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const [cwd, dir] = await Promise.all([readlink(`/proc/${pid}/cwd`), realpath(dataDir)]);
    return cwd === dir;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the descendants of `root`, then SIGKILL whatever of them is left after the grace period. */
export async function killDescendants(root: number, graceMs = KILL_GRACE_MS): Promise<number[]> {
  const pids = await descendants(root);
  const hit = pids.filter((p) => signal(p, 'SIGTERM'));
  if (hit.length > 0) {
    const t = setTimeout(() => {
      void descendants(root).then((left) => {
        for (const p of left) if (pids.includes(p)) signal(p, 'SIGKILL');
      });
    }, graceMs);
    t.unref();
  }
  return hit;
}

/**
 * SIGTERM a process group, then SIGKILL it if any member is left after the grace period. With `killLeader`, the
 * group leader gets SIGKILL at once: that is `runuser` when pgwarden runs as root, which on SIGTERM forwards the
 * signal to its child and then sleeps 2 s before exiting (util-linux su-common), so a cancel would take 2 s.
 */
export function killGroup(pgid: number, graceMs = KILL_GRACE_MS, killLeader = false): boolean {
  const ok = signal(-pgid, 'SIGTERM');
  if (killLeader) signal(pgid, 'SIGKILL');
  const t = setTimeout(() => {
    if (signal(-pgid, 0)) signal(-pgid, 'SIGKILL');
  }, graceMs);
  t.unref();
  return ok;
}
