/**
 * Sign-in: pcp.conf users (operators, password checked against the md5 in pcp.conf) and the store's users
 * (viewer or operator, scrypt). A name in both is checked against pcp.conf first. API tokens: bearer tokens hashed in
 * api_tokens.
 */
import type { PcpUser } from '../../engine/config/types';
import type { StoreClient } from '../store/client';
import { hashPassword, newToken, sha256Hex, verifyPassword, verifyPcpMd5 } from './passwords';
import type { Principal, Role } from './principal';

export async function authenticatePassword(
  db: StoreClient,
  pcpUsers: readonly PcpUser[],
  name: string,
  password: string,
): Promise<Principal | null> {
  const pcp = pcpUsers.find((u) => u.user === name);
  if (pcp && verifyPcpMd5(password, pcp.md5))
    return { name, role: 'operator', source: 'pcp', via: 'session' };
  const user = await db.user.findUnique({ where: { name } });
  if (user && (await verifyPassword(password, user.passwordHash))) {
    return { name, role: user.role === 'operator' ? 'operator' : 'viewer', source: 'store', via: 'session' };
  }
  return null;
}

export async function upsertUser(db: StoreClient, name: string, password: string, role: Role): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.user.upsert({
    where: { name },
    create: { name, passwordHash, role },
    update: { passwordHash, role },
  });
}

/** Creates (or replaces) a named token; the token text is returned once and only its hash is kept. */
export async function createApiToken(db: StoreClient, name: string, role: Role): Promise<string> {
  const token = newToken();
  const tokenHash = sha256Hex(token);
  await db.apiToken.upsert({
    where: { name },
    create: { name, tokenHash, role },
    update: { tokenHash, role },
  });
  return token;
}

export async function authenticateToken(db: StoreClient, token: string): Promise<Principal | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(token) } });
  if (!row) return null;
  // last_used_at is informative; a failed update must not refuse the request.
  await db.apiToken
    .update({ where: { name: row.name }, data: { lastUsedAt: new Date() } })
    .catch(() => undefined);
  return {
    name: row.name,
    role: row.role === 'operator' ? 'operator' : 'viewer',
    source: 'token',
    via: 'bearer',
  };
}
