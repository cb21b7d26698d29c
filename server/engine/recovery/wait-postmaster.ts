/**
 * wait_postmaster (reference §6.2 step 7): after pgpool_remote_start, connect to the recovered node as recovery_user.
 * pgpool tries database postgres 4 times 3 s apart, then template1 recovery_timeout/3 + 1 times 3 s apart.
 * pgwarden keeps both phases and their total time bounds (12 s, then (recovery_timeout/3 + 1) * 3 s) but polls every
 * `pollMs` (default 0.5 s), so a node that is up is attached without waiting for the next 3 s tick.
 * Native replication (`readWrite`): pgwarden also waits, within the same bound, until the node has left archive
 * recovery (pg_is_in_recovery() = false). pgpool attaches as soon as it connects, and a node still replaying the
 * archive would then refuse the replicated writes (hot standby accepts connections, read-only).
 */
import type { PasswordLookup } from '../health/pg-connect';
import { connectNode, type NodeEndpoint, type RecoveryCredentials } from './main-connection';

export interface WaitPostmasterOptions {
  node: NodeEndpoint;
  creds: RecoveryCredentials;
  lookup: PasswordLookup;
  recoveryTimeoutS: number;
  pollMs: number;
  cancelled: () => boolean;
  out: (line: string) => void;
  readWrite?: boolean;
}

const PGPOOL_INTERVAL_MS = 3000;

export async function waitForPostmaster(o: WaitPostmasterOptions): Promise<void> {
  const phases: { database: string; boundMs: number }[] = [
    { database: 'postgres', boundMs: 4 * PGPOOL_INTERVAL_MS },
    {
      database: 'template1',
      boundMs: (Math.floor(o.recoveryTimeoutS / 3) + 1) * PGPOOL_INTERVAL_MS,
    },
  ];
  let lastError = '';
  for (const { database, boundMs } of phases) {
    const deadline = Date.now() + boundMs;
    let attempts = 0;
    while (!o.cancelled()) {
      attempts++;
      try {
        const c = await connectNode(o.node, o.creds, o.lookup, database, Math.min(5000, boundMs));
        let inRecovery = false;
        try {
          if (o.readWrite)
            inRecovery =
              (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r === true;
        } finally {
          await c.end().catch(() => undefined);
        }
        if (!inRecovery) {
          o.out(
            `connected to ${o.node.hostname}:${o.node.port} database ${database} after ${attempts} attempt(s)`,
          );
          return;
        }
        if (lastError !== 'still in recovery')
          o.out('the node accepts connections but is still in recovery: waiting until it is read-write');
        lastError = 'still in recovery';
      } catch (e) {
        lastError = (e as Error).message;
      }
      if (Date.now() + o.pollMs > deadline) break;
      await new Promise((r) => setTimeout(r, o.pollMs));
    }
    if (o.cancelled()) throw new Error('cancelled');
    o.out(`database ${database}: ${attempts} attempt(s) failed, last error: ${lastError}`);
  }
  throw new Error(
    `recovered node ${o.node.nodeId} (${o.node.hostname}:${o.node.port}) does not accept connections: ${lastError}`,
  );
}
