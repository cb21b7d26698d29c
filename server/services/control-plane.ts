/**
 * The use-cases the control plane (tRPC now, REST and CLI later) calls, bound to one store. Built once by
 * server/main.ts and handed to Next route code through the handle on globalThis (server/api/handle.ts), so route
 * bundles never load Prisma or the store's native driver.
 */
import type { PcpUser } from '../engine/config/types';
import type { Actor } from '../engine/state/types';
import { issueApiToken, listApiTokens, revokeApiToken, type ApiTokenInfo } from './auth/tokens';
import { authenticatePassword, authenticateToken } from './auth/users';
import type { Principal, Role } from './auth/principal';
import { signSession, verifySession } from './auth/sessions';
import { listEvents, type ListEventsFilter, type StoredEvent } from './events/events';
import type { StoreClient } from './store/client';

export interface ControlPlane {
  events: {
    list(filter: ListEventsFilter): Promise<StoredEvent[]>;
  };
  auth: {
    /** Checks a name/password; returns the principal and the session cookie value, or null. */
    login(name: string, password: string): Promise<{ principal: Principal; session: string } | null>;
    session(value: string): Principal | null;
    bearer(token: string): Promise<Principal | null>;
  };
  tokens: {
    list(): Promise<ApiTokenInfo[]>;
    /** Creates or replaces the named token; returns the token text (shown once). Audited. */
    issue(name: string, role: Role, actor: Actor, reason?: string): Promise<string>;
    revoke(name: string, actor: Actor, reason?: string): Promise<boolean>;
  };
}

export interface ControlPlaneDeps {
  db: StoreClient;
  /** Current pcp.conf users (a getter: a reload may change them). */
  pcpUsers: () => readonly PcpUser[];
  sessionSecret: Buffer;
}

export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  return {
    events: { list: (filter) => listEvents(deps.db, filter) },
    auth: {
      async login(name, password) {
        const principal = await authenticatePassword(deps.db, deps.pcpUsers(), name, password);
        return principal ? { principal, session: signSession(deps.sessionSecret, principal) } : null;
      },
      session: (value) => verifySession(deps.sessionSecret, value),
      bearer: (token) => authenticateToken(deps.db, token),
    },
    tokens: {
      list: () => listApiTokens(deps.db),
      issue: (name, role, actor, reason) => issueApiToken(deps.db, name, role, actor, reason),
      revoke: (name, actor, reason) => revokeApiToken(deps.db, name, actor, reason),
    },
  };
}

export type { ListEventsFilter, StoredEvent } from './events/events';
export type { Principal, Role } from './auth/principal';
export type { ApiTokenInfo } from './auth/tokens';
