/**
 * Password hashing of PostgreSQL's md5 and SCRAM-SHA-256 methods (protocol-flow.html#PROTOCOL-FLOW-START-UP,
 * sasl-authentication.html; RFC 5802 and RFC 7677). Used by both sides: client auth (frontend/auth) verifies, backend
 * auth (backend/auth.ts) answers.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** pool_passwd / pg_authid md5 entry: 'md5' + md5hex(password || username). */
export function md5Entry(user: string, password: string): string {
  return 'md5' + md5Hex(password + user);
}

/** What the client sends for AuthenticationMD5Password: 'md5' + md5hex(md5hex(password || user) || salt). */
export function md5Response(user: string, password: string, salt: Buffer): string {
  return md5FromEntry(md5Entry(user, password), salt);
}

/** Same, from a stored 'md5...' entry (the server never needs the plaintext). */
export function md5FromEntry(entry: string, salt: Buffer): string {
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(entry.slice(3)), salt]));
}

export const hmac = (key: Buffer, data: string | Buffer): Buffer =>
  createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ScramSecret {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** SaltedPassword and the keys derived from it (RFC 5802 §3). */
export function deriveScramKeys(
  password: string,
  salt: Buffer,
  iterations: number,
): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  // PostgreSQL applies SASLprep; for ASCII passwords (the common case) it is the identity.
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

export function scramSecretFromPassword(
  password: string,
  salt = randomBytes(16),
  iterations = 4096,
): ScramSecret {
  const k = deriveScramKeys(password, salt, iterations);
  return { iterations, salt, storedKey: k.storedKey, serverKey: k.serverKey };
}

/** Parses a pg_authid-style verifier `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`. */
export function parseScramVerifier(v: string): ScramSecret | null {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(v);
  if (!m) return null;
  return {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
}

export function formatScramVerifier(s: ScramSecret): string {
  return `SCRAM-SHA-256$${s.iterations}:${s.salt.toString('base64')}$${s.storedKey.toString('base64')}:${s.serverKey.toString('base64')}`;
}

/** Splits a SCRAM attribute list `a=1,b=2` (RFC 5802 §5.1) into a map. */
export function scramAttributes(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) m.set(part[0]!, part.slice(2));
  }
  return m;
}
