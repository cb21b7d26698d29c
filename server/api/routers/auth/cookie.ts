import { SESSION_COOKIE } from '../../../../lib/auth';
import { SESSION_TTL_MS } from '../../../services/auth/sessions';

/** HttpOnly (no script reads it), SameSite=Strict (never sent cross-site), scoped to the whole dashboard. */
export function sessionCookie(value: string, maxAgeMs = SESSION_TTL_MS): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
}
