// Safety net: every postmaster we start is registered; on exit/SIGINT/SIGTERM/SIGHUP they get SIGQUIT (immediate
// shutdown), then the cleanup hooks run (ports.ts releases its lock files) and temporary cluster dirs are removed.

import { rmSync } from 'node:fs';
import { postmasterPid } from './proc';

/** Data directories of every node not yet destroyed (whoever started its postmaster). */
export const liveDataDirs = new Set<string>();
/** Cluster base dirs removed on exit unless destroyed before (not for kept clusters). */
export const tempDirs = new Set<string>();
const cleanupHooks: (() => void)[] = [];
let safetyNetInstalled = false;

/** Registers a synchronous cleanup run by emergencyCleanup() after the postmasters got SIGQUIT. */
export function onEmergencyCleanup(hook: () => void): void {
  cleanupHooks.push(hook);
}

export function emergencyCleanup(): void {
  for (const dataDir of liveDataDirs) {
    const pid = postmasterPid(dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  }
  liveDataDirs.clear();
  for (const hook of cleanupHooks) hook();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort: a dying backend may still write a file
    }
  }
  tempDirs.clear();
}

export function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      // Restore the default behaviour (exit with the signal) once our servers are gone.
      process.kill(process.pid, sig);
    });
  }
}
