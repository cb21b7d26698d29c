/**
 * API token administration for the control plane (monitoring gets viewer tokens, runbooks operator tokens): create
 * (the token text is shown once), list (names, roles, last use; never hashes), revoke. Each change is written to the
 * audit trail like an engine admin action (engine_event_id 0: it did not come from the engine).
 */
import type { Actor } from '../../engine/state/types';
import { recordEvent } from '../events/events';
import type { StoreClient } from '../store/client';
import type { Role } from './principal';
import { createApiToken } from './users';

export interface ApiTokenInfo {
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listApiTokens(db: StoreClient): Promise<ApiTokenInfo[]> {
  const rows = await db.apiToken.findMany({ orderBy: { name: 'asc' } });
  return rows.map((r) => ({
    name: r.name,
    role: r.role === 'operator' ? 'operator' : 'viewer',
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
  }));
}

export async function issueApiToken(
  db: StoreClient,
  name: string,
  role: Role,
  actor: Actor,
  reason?: string,
): Promise<string> {
  const token = await createApiToken(db, name, role);
  await audit(db, actor, `API token ${name} (${role}) issued by ${actor.name}`, reason, {
    token: name,
    role,
  });
  return token;
}

/** Returns false when there was no such token. */
export async function revokeApiToken(
  db: StoreClient,
  name: string,
  actor: Actor,
  reason?: string,
): Promise<boolean> {
  const { count } = await db.apiToken.deleteMany({ where: { name } });
  if (count > 0)
    await audit(db, actor, `API token ${name} revoked by ${actor.name}`, reason, { token: name });
  return count > 0;
}

async function audit(
  db: StoreClient,
  actor: Actor,
  summary: string,
  reason: string | undefined,
  details: Record<string, unknown>,
): Promise<void> {
  await recordEvent(db, {
    id: 0,
    time: new Date(),
    kind: 'admin_action',
    nodeId: null,
    actor,
    summary,
    reason: reason ? { code: 'admin_request', message: reason } : null,
    outcome: 'ok',
    details: { action: 'api_token', ...details },
  });
}
