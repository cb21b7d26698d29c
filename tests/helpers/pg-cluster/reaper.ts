// Reaper: clusters whose owning process died without cleaning up.

import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { clusterRoot, isPidAlive, postmasterPid, waitPidsGone } from './proc';

/** File in a temporary cluster's baseDir holding the pid of the process that created it. */
export const OWNER_FILE = 'owner.pid';

/**
 * Clusters of processes that died without cleaning up (a vitest fork killed by a timeout, SIGKILL): stop their
 * postmasters and remove their directories, so RAM (/dev/shm) and ports do not leak across runs.
 */
export async function reapStaleClusters(root = clusterRoot()): Promise<string[]> {
  const reaped: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => e.startsWith('pgwarden-cluster-'));
  } catch {
    return reaped;
  }
  for (const entry of entries) {
    const dir = path.join(root, entry);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      // no owner file yet (being created) or not ours
      continue;
    }
    if (!owner || isPidAlive(owner)) continue;
    let nodeDirs: string[] = [];
    try {
      nodeDirs = readdirSync(dir).filter((e) => /^node\d+$/.test(e));
    } catch {
      continue;
    }
    const pids = nodeDirs
      .map((n) => postmasterPid(path.join(dir, n, 'data')))
      .filter((p): p is number => !!p);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
    await waitPidsGone(pids, 10_000);
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
    reaped.push(dir);
  }
  return reaped;
}
