/**
 * Password and token hashing. Dashboard users kept by pgwarden: scrypt with a random salt. pcp.conf users: md5 hex of
 * the password, as pcp.conf stores it (pgpool's pg_md5 output); accepted because pcp.conf is the operator list
 * pgpool admins already maintain. API tokens: sha256 (random 32-byte tokens need no salt or stretching).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N: 16384, r: 8, p: 1 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, keyHex] = stored.split('$');
  if (scheme !== 'scrypt' || !saltHex || !keyHex) return false;
  const key = await scryptAsync(password, Buffer.from(saltHex, 'hex'));
  return safeEqualHex(key.toString('hex'), keyHex);
}

/** pcp.conf: `user:md5(password)` in hex, without pgpool's 'md5' prefix. */
export function verifyPcpMd5(password: string, md5Hex: string): boolean {
  return safeEqualHex(createHash('md5').update(password).digest('hex'), md5Hex.toLowerCase());
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newToken(prefix = 'pgw'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
