/**
 * The SQL probes primary detection and sr_check send, as sr_check_user/sr_check_password/sr_check_database
 * (reference §5), each on a fresh connection bounded by the node's connect_timeout and health_check_timeout.
 */
import type { PgwardenConfig } from '../config/types';
import pg from 'pg';
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

/** A node's pg_is_in_recovery() polled on one kept connection (see BackendProbes.recoveryWatch). */
export interface RecoveryWatch {
  /** true = standby, false = primary, null = could not ask (the next call connects again). */
  isInRecovery(): Promise<boolean | null>;
  close(): void;
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

  /**
   * pg_is_in_recovery() of one node asked repeatedly on ONE connection (the promotion watch of a failover): a poll is
   * a round trip of well under a millisecond instead of a fresh connection (a backend fork on the node that is being
   * promoted). The connection is opened at the first poll and again after an error; close() ends it.
   */
  recoveryWatch(id: number): RecoveryWatch {
    let client: pg.Client | null = null;
    let connecting: Promise<pg.Client> | null = null;
    let closed = false;
    const drop = (): void => {
      const c = client;
      client = null;
      connecting = null;
      if (c) void c.end().catch(() => undefined);
    };
    const open = (): Promise<pg.Client> => {
      if (client) return Promise.resolve(client);
      if (connecting) return connecting;
      const t = this.target(id);
      const password = t.creds.password !== '' ? t.creds.password : this.lookup(t.creds.user);
      const c = new pg.Client({
        host: t.node.hostname === '' ? '/tmp' : t.node.hostname,
        port: t.node.port,
        user: t.creds.user,
        database: t.creds.database || 'postgres',
        password,
        connectionTimeoutMillis: t.opts.connectTimeoutMs > 0 ? t.opts.connectTimeoutMs : undefined,
        application_name: 'pgwarden',
      });
      c.on('error', () => undefined);
      connecting = c.connect().then(
        () => {
          connecting = null;
          if (closed) {
            void c.end().catch(() => undefined);
            throw new Error('recovery watch closed');
          }
          client = c;
          return c;
        },
        (e: unknown) => {
          connecting = null;
          throw e;
        },
      );
      return connecting;
    };
    return {
      isInRecovery: async () => {
        if (closed) return null;
        const limit = this.target(id).opts.timeoutMs;
        let timer: NodeJS.Timeout | undefined;
        try {
          const c = await open();
          const r = await Promise.race([
            c.query<{ r: unknown }>('SELECT pg_is_in_recovery() AS r'),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit);
            }),
          ]);
          const v = r.rows[0]?.r;
          return typeof v === 'boolean' ? v : null;
        } catch {
          drop();
          return null;
        } finally {
          clearTimeout(timer);
        }
      },
      close: () => {
        closed = true;
        drop();
      },
    };
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
