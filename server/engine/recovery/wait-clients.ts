/**
 * wait_clients (native replication, reference §6.2 step 4): with new sessions held back, wait until no client
 * session remains, checking every `pollMs` (pgpool: 3 s) for at most recovery_timeout seconds.
 * client_idle_limit_in_recovery makes idle clients go away: -1 = close them at once (at their next idle point),
 * N > 0 = close them once idle N s, 0 = never. On timeout pgpool fails the recovery, unless the counter is judged
 * stale (client_idle_limit_in_recovery == -1, or 0 < it <= recovery_timeout): then it carries on; pgwarden's session
 * count is never stale, so it only fails.
 */
import type { ClientGate } from './types';

export interface WaitClientsOptions {
  gate: ClientGate;
  recoveryTimeoutS: number;
  idleLimitS: number;
  pollMs: number;
  cancelled: () => boolean;
  out: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export async function waitForClients(o: WaitClientsOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + o.recoveryTimeoutS * 1000;
  let reported = -1;
  for (;;) {
    if (o.idleLimitS !== 0) {
      const closed = o.gate.closeIdleSessions(o.idleLimitS < 0 ? 0 : o.idleLimitS);
      if (closed > 0) o.out(`closed ${closed} idle session(s) (client_idle_limit_in_recovery)`);
    }
    const n = o.gate.activeSessions();
    if (n === 0) {
      o.out('no client session remains');
      return;
    }
    if (n !== reported) o.out(`waiting for ${n} client session(s) to end`);
    reported = n;
    if (o.cancelled()) throw new Error('cancelled');
    if (now() >= deadline)
      throw new Error(
        `node recovery failed, waiting connection closed timeout: ${n} client session(s) still open after recovery_timeout (${o.recoveryTimeoutS} s)`,
      );
    await sleep(o.pollMs);
  }
}
