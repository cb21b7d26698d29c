/**
 * Client authentication policy (reference §8.1-8.2).
 *
 * enable_pool_hba = on: the first matching pool_hba rule decides; pgwarden runs the method itself against
 * pool_passwd and later authenticates to each backend with what it learned (cleartext password, or the pool_passwd
 * entry).
 *
 * enable_pool_hba = off: like pgpool, the main backend's own request decides. pgwarden answers it from pool_passwd
 * when it can (and then checks the client with the same method against the same entry); otherwise it relays the
 * backend's request to the client unchanged, so PostgreSQL itself checks the password (the exchange ends with
 * PostgreSQL's own error wording on failure).
 */
import type { TLSSocket } from 'node:tls';
import { matchHba } from '../../config/hba-match';
import type { HbaRule, PoolPasswdEntry } from '../../config/types';
import type { BackendCredentials } from '../../backend/auth';
import type { SocketReader } from '../socket-reader';
import {
  AuthFailure,
  askCleartext,
  passwordFailed,
  passwordMatches,
  plainOf,
  verifyMd5,
  verifyScram,
} from './verify';

export interface ClientIdentity {
  user: string;
  database: string;
  /** Client IP, or null for a Unix-socket connection. */
  address: string | null;
  ssl: boolean;
  /** The client presented a certificate that verified against ssl_ca_cert. */
  certVerified?: boolean;
}

export interface HbaOutcome {
  /** What pgwarden will use to authenticate to backends. */
  creds: BackendCredentials;
  /** 'verified' when pgwarden authenticated the client; 'deferred' when backends decide (hba off). */
  state: 'verified' | 'deferred';
  method: string;
}

export function credsFromPoolPasswd(
  user: string,
  poolPasswd: ReadonlyMap<string, PoolPasswdEntry> | undefined,
): BackendCredentials {
  const entry = poolPasswd?.get(user);
  return { password: plainOf(entry), md5Entry: entry?.kind === 'md5' ? entry.hash : null };
}

function hostLabel(id: ClientIdentity): string {
  return id.address ?? '[local]';
}

/** Runs the pool_hba decision (enable_pool_hba = on) or defers to the backends (off). */
export async function authenticateClient(
  reader: SocketReader,
  id: ClientIdentity,
  opts: {
    enablePoolHba: boolean;
    hba: HbaRule[];
    poolPasswd: ReadonlyMap<string, PoolPasswdEntry> | undefined;
  },
): Promise<HbaOutcome> {
  const creds = credsFromPoolPasswd(id.user, opts.poolPasswd);
  if (!opts.enablePoolHba) return { creds, state: 'deferred', method: 'relay' };
  const rule = matchHba(opts.hba, {
    type: id.address === null ? 'local' : 'host',
    ssl: id.ssl,
    database: id.database,
    user: id.user,
    address: id.address ?? undefined,
  });
  const who = `host "${hostLabel(id)}", user "${id.user}", database "${id.database}"`;
  if (!rule) throw new AuthFailure(`no pool_hba.conf entry for ${who}`, '28000');
  const entry = opts.poolPasswd?.get(id.user);
  switch (rule.method) {
    case 'trust':
      return { creds, state: 'verified', method: 'trust' };
    case 'reject':
      throw new AuthFailure(`pool_hba.conf rejects connection for ${who}`, '28000');
    case 'password': {
      const pw = await askCleartext(reader);
      const ok = passwordMatches(id.user, pw, entry);
      if (ok === false) throw passwordFailed(id.user);
      // With no pool_passwd entry the backends verify this password (ok === null).
      return { creds: { password: pw, md5Entry: creds.md5Entry }, state: 'verified', method: 'password' };
    }
    case 'md5':
      if (!(await verifyMd5(reader, id.user, entry))) throw passwordFailed(id.user);
      return { creds, state: 'verified', method: 'md5' };
    case 'scram-sha-256':
      if (!(await verifyScram(reader, id.user, entry))) throw passwordFailed(id.user);
      return { creds, state: 'verified', method: 'scram-sha-256' };
    case 'cert': {
      const sock = reader.socket as TLSSocket;
      const cn =
        id.ssl && typeof sock.getPeerCertificate === 'function'
          ? sock.getPeerCertificate()?.subject?.CN
          : undefined;
      if (!id.certVerified || cn !== id.user)
        throw new AuthFailure(`certificate authentication failed for user "${id.user}"`, '28000');
      return { creds, state: 'verified', method: 'cert' };
    }
    default:
      throw new AuthFailure(`authentication method "${rule.method}" is not supported by pgwarden`, '28000');
  }
}

/**
 * hba off, backend answered from pool_passwd (not relayed): check the client with the same method the backend used,
 * against the same entry, so knowing pool_passwd's secret is still required of the client.
 */
export async function verifyLikeBackend(
  reader: SocketReader,
  user: string,
  method: 'trust' | 'password' | 'md5' | 'scram-sha-256',
  entry: PoolPasswdEntry | undefined,
  knownPassword: string | null,
): Promise<void> {
  if (method === 'trust') return;
  if (method === 'password') {
    const pw = await askCleartext(reader);
    const ok = knownPassword !== null ? pw === knownPassword : passwordMatches(user, pw, entry);
    if (ok !== true) throw passwordFailed(user);
    return;
  }
  if (method === 'md5') {
    if (!(await verifyMd5(reader, user, entry))) throw passwordFailed(user);
    return;
  }
  if (!(await verifyScram(reader, user, entry))) throw passwordFailed(user);
}
