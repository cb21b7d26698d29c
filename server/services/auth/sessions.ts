/**
 * Dashboard sessions: a signed, expiring cookie value `<base64url(json)>.<hmac>` (no server-side table, so a
 * restart keeps people signed in). The HMAC key lives in <data_directory>/session.key (mode 0600), created on first
 * use; deleting the file signs everybody out.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal, Role } from './principal';
import { safeEqualHex } from './passwords';

export const SESSION_TTL_MS = 12 * 3600 * 1000;

export function loadSessionSecret(dataDirectory: string): Buffer {
  const file = join(dataDirectory, 'session.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  }
  mkdirSync(dataDirectory, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600 });
  return secret;
}

interface SessionBody {
  n: string; // name
  r: Role;
  s: Principal['source'];
  e: number; // expiry, ms since epoch
}

export function signSession(secret: Buffer, p: Principal, now = Date.now(), ttlMs = SESSION_TTL_MS): string {
  const body: SessionBody = { n: p.name, r: p.role, s: p.source, e: now + ttlMs };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function verifySession(secret: Buffer, value: string, now = Date.now()): Principal | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  if (!safeEqualHex(mac(secret, payload), value.slice(dot + 1))) return null;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionBody;
    if (typeof body.e !== 'number' || body.e < now) return null;
    if (body.r !== 'viewer' && body.r !== 'operator') return null;
    return { name: body.n, role: body.r, source: body.s, via: 'session' };
  } catch {
    return null;
  }
}

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
