/**
 * PCP md5 authentication (reference §1.3): pcp.conf stores h1 = md5hex(password); the client sends
 * h3 = md5hex(md5hex(h1 ‖ username) ‖ salt[4]) as 32 lowercase hex chars without the "md5" prefix (Appendix B.2).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PcpUser } from '../config/types';

export function md5hex(...parts: Array<string | Buffer>): string {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The hash a client sends for `password` (the stored h1 is md5hex(password)). */
export function pcpClientHash(user: string, password: string, salt: Buffer): string {
  return pcpHashFromStored(md5hex(password), user, salt);
}

/** h3 from the stored h1: what the server recomputes and compares. */
export function pcpHashFromStored(storedMd5: string, user: string, salt: Buffer): string {
  return md5hex(md5hex(storedMd5, user), salt);
}

export function newSalt(): Buffer {
  return randomBytes(4);
}

/**
 * Whether `hash` proves the password of `user`. Duplicate pcp.conf users: the first line whose hash matches wins,
 * as pgpool does. Compared in constant time.
 */
export function verifyPcpAuth(users: readonly PcpUser[], user: string, hash: string, salt: Buffer): boolean {
  const got = Buffer.from(hash, 'utf8');
  for (const u of users) {
    if (u.user !== user) continue;
    const want = Buffer.from(pcpHashFromStored(u.md5.toLowerCase(), user, salt), 'utf8');
    if (want.length === got.length && timingSafeEqual(want, got)) return true;
  }
  return false;
}
