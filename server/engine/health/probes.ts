/**
 * The SQL probes primary detection and sr_check send, as sr_check_user/sr_check_password/sr_check_database
 * (reference §5), each on a fresh connection bounded by the node's connect_timeout and health_check_timeout.
 */
import type { PgwardenConfig } from '../config/types';
import { withBackend, type PasswordLookup } from './pg-connect';
import { parseConninfo, type WalReceiverInfo } from './primary';

/** Whole-probe limit when health_check_timeout is 0 (none): a probe must still end. */
const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export interface NodeReplicationSample {
  inRecovery: boolean;
  /** pg_current_wal_lsn() on a primary, pg_last_wal_replay_lsn() on a standby ('' when null). */
  lsn: string;
  /** Seconds since the last replayed transaction's commit (standby only), null when unknown. */
  replayAgeSeconds: number | null;
  /** Primary only: pg_stat_replication rows. */
  replication: { applicationName: string; state: string; syncState: string }[];
}

export class BackendProbes {
  constructor(
    private readonly config: () => PgwardenConfig,
    private readonly lookup: PasswordLookup,
  ) {}

  private target(id: number) {
    const cfg = this.config();
    const b = cfg.backends[id];
    if (!b) throw new Error(`node ${id} is not configured`);
    const timeoutMs = b.health_check.timeout > 0 ? b.health_check.timeout * 1000 : DEFAULT_PROBE_TIMEOUT_MS;
    return {
      node: { hostname: b.hostname, port: b.port },
      creds: { user: cfg.sr_check_user, password: cfg.sr_check_password, database: cfg.sr_check_database },
      opts: { connectTimeoutMs: b.health_check.connect_timeout, timeoutMs },
    };
  }

  async query(id: number, statements: string[]): Promise<Record<string, unknown>[][]> {
    const t = this.target(id);
    return withBackend(t.node, t.creds, t.opts, this.lookup, statements);
  }

  /** true = standby, false = primary, null = could not ask. */
  async isInRecovery(id: number): Promise<boolean | null> {
    try {
      const [rows] = await this.query(id, ['SELECT pg_is_in_recovery() AS r']);
      const v = rows?.[0]?.r;
      return typeof v === 'boolean' ? v : null;
    } catch {
      return null;
    }
  }

  async walReceiver(id: number): Promise<WalReceiverInfo | null> {
    try {
      const [rows] = await this.query(id, ['SELECT status, conninfo FROM pg_stat_wal_receiver']);
      const row = rows?.[0];
      if (!row) return null;
      const { host, port } = parseConninfo(text(row.conninfo));
      return { status: text(row.status), host, port };
    } catch {
      return null;
    }
  }

  /** One round trip per node: role, WAL position, replay age, and (primary) pg_stat_replication. */
  async replicationSample(id: number): Promise<NodeReplicationSample> {
    // Needs superuser or pg_monitor for state/sync_state; otherwise the columns are null and stay empty, as in pgpool.
    const [rows, rep] = await this.query(id, [
      `SELECT pg_is_in_recovery() AS r,
              CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END AS lsn,
              EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp()))::float8 AS age`,
      'SELECT application_name, state, sync_state FROM pg_stat_replication',
    ]);
    const row = rows?.[0] ?? {};
    const inRecovery = row.r === true;
    const sample: NodeReplicationSample = {
      inRecovery,
      lsn: typeof row.lsn === 'string' ? row.lsn : '',
      replayAgeSeconds: typeof row.age === 'number' ? row.age : null,
      replication: [],
    };
    if (!inRecovery) {
      sample.replication = (rep ?? []).map((r) => ({
        applicationName: text(r.application_name),
        state: text(r.state),
        syncState: text(r.sync_state),
      }));
    }
    return sample;
  }
}

/** A text column's value, '' for NULL. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
