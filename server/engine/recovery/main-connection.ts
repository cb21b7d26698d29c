/**
 * The recovery connection (reference §6.2): libpq to the main node (streaming: the primary) database template1 as
 * recovery_user / recovery_password ('' = pool_passwd), held for the whole run as pgpool does.
 */
import pg from 'pg';
import type { PasswordLookup } from '../health/pg-connect';

export interface NodeEndpoint {
  nodeId: number;
  hostname: string;
  port: number;
  dataDir: string;
}

export interface RecoveryCredentials {
  user: string;
  password: string;
}

export function pgHost(hostname: string): string {
  return hostname === '' ? '/tmp' : hostname;
}

export async function connectNode(
  node: { hostname: string; port: number },
  creds: RecoveryCredentials,
  lookup: PasswordLookup,
  database: string,
  connectTimeoutMs = 10_000,
): Promise<pg.Client> {
  const client = new pg.Client({
    host: pgHost(node.hostname),
    port: node.port,
    user: creds.user,
    password: creds.password !== '' ? creds.password : lookup(creds.user),
    database,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'pgwarden recovery',
  });
  // A server going away mid-run must not become an unhandled 'error' event; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

/** Lazily opened, reused connection to template1 on the main node. */
export class MainConnection {
  private client: Promise<pg.Client> | null = null;

  constructor(
    readonly main: NodeEndpoint,
    private readonly creds: RecoveryCredentials,
    private readonly lookup: PasswordLookup,
  ) {}

  get(): Promise<pg.Client> {
    this.client ??= connectNode(this.main, this.creds, this.lookup, 'template1').catch((e: unknown) => {
      this.client = null;
      throw new Error(
        `could not connect to main node ${this.main.nodeId} (${this.main.hostname}:${this.main.port}) ` +
          `database template1 as ${this.creds.user}: ${(e as Error).message}`,
      );
    });
    return this.client;
  }

  async query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]> {
    const c = await this.get();
    return (await c.query<T>(sql, params)).rows;
  }

  /** The pid of the backend serving this connection (null before it is open). */
  async backendPid(): Promise<number | null> {
    if (!this.client) return null;
    const c = await this.client.catch(() => null);
    const pid = (c as { processID?: number } | null)?.processID;
    return typeof pid === 'number' && pid > 0 ? pid : null;
  }

  /** pg_cancel_backend(pid) over a second, short-lived connection (the main one is busy with the statement). */
  async cancelBackend(pid: number): Promise<boolean> {
    const c = await connectNode(this.main, this.creds, this.lookup, 'template1', 5000);
    try {
      const r = await c.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [pid]);
      return r.rows[0]?.ok === true;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.then((x) => x.end()).catch(() => undefined);
  }
}
