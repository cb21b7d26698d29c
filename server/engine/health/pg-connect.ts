/**
 * One short-lived connection to a backend for health checks, primary detection and sr_check, as pgpool does (a fresh
 * libpq connection per probe). The whole attempt (connect + queries) is bounded by `timeoutMs`; when it expires the
 * socket is destroyed so a hung server cannot stall a check loop.
 */
import pg from 'pg';
import type { PoolPasswdEntry } from '../config/types';

export interface NodeAddress {
  hostname: string;
  port: number;
}

export interface Credentials {
  user: string;
  /** '' = look the user up in pool_passwd (plain-text or decrypted AES entries only). */
  password: string;
  database: string;
}

export interface ProbeOptions {
  /** connect_timeout, ms (0 = none). */
  connectTimeoutMs: number;
  /** Whole-attempt limit, ms (0 = none). */
  timeoutMs: number;
}

export type PasswordLookup = (user: string) => string | undefined;

export class ProbeTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

/** Password lookup backed by pool_passwd entries: only entries whose clear text is known can log in to a backend. */
export function poolPasswdLookup(entries: ReadonlyMap<string, PoolPasswdEntry> | undefined): PasswordLookup {
  return (user) => {
    const e = entries?.get(user);
    if (!e) return undefined;
    if (e.kind === 'plain') return e.password;
    if (e.kind === 'aes') return e.password ?? undefined;
    return undefined;
  };
}

/** A Unix-socket directory is passed to pg as host, like libpq. */
function hostFor(hostname: string): string {
  return hostname === '' ? '/tmp' : hostname;
}

/**
 * Connects, runs each statement in order, returns their rows, and closes. Rejects with the server's or the socket's
 * error, or ProbeTimeoutError.
 */
export async function withBackend(
  node: NodeAddress,
  creds: Credentials,
  opts: ProbeOptions,
  lookup: PasswordLookup,
  statements: string[],
): Promise<Record<string, unknown>[][]> {
  const password = creds.password !== '' ? creds.password : lookup(creds.user);
  const client = new pg.Client({
    host: hostFor(node.hostname),
    port: node.port,
    user: creds.user,
    database: creds.database || 'postgres',
    password,
    connectionTimeoutMillis: opts.connectTimeoutMs > 0 ? opts.connectTimeoutMs : undefined,
    application_name: 'pgwarden',
  });
  // An error after connect (server killed mid-check) must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const work = (async () => {
    await client.connect();
    const out: Record<string, unknown>[][] = [];
    for (const sql of statements) {
      const r = await client.query<Record<string, unknown>>(sql);
      out.push(r.rows);
    }
    return out;
  })();
  const bounded =
    opts.timeoutMs > 0
      ? Promise.race([
          work,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              timedOut = true;
              reject(new ProbeTimeoutError(opts.timeoutMs));
            }, opts.timeoutMs);
          }),
        ])
      : work;
  try {
    return await bounded;
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
    if (timedOut) {
      // Destroy rather than end: after a timeout the server may never answer a Terminate.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
    void client.end().catch(() => undefined);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0 && !e.message.includes(code)
      ? `${e.message} (${code})`
      : e.message;
  }
  return String(e);
}
