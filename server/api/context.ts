/**
 * Per-request context: who is calling (session cookie or bearer token), whether the request carries the CSRF header,
 * and where to set response cookies. Built by the fetch adapter in app/api/trpc/[trpc]/route.ts.
 */
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch';
import type { Principal } from '../services/control-plane';
import { getHandle, type PgwardenHandle } from './handle';
import { CSRF_HEADER, SESSION_COOKIE } from '../../lib/auth';

export interface Context {
  handle: PgwardenHandle;
  principal: Principal | null;
  /** The custom header browsers cannot send cross-site without a CORS preflight (which we never allow). */
  csrfHeader: boolean;
  resHeaders: Headers;
}

export async function createContext({ req, resHeaders }: FetchCreateContextFnOptions): Promise<Context> {
  const handle = getHandle();
  let principal: Principal | null = null;
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) {
    principal = await handle.services.auth.bearer(auth.slice(7).trim());
  } else {
    const session = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
    if (session) principal = handle.services.auth.session(session);
  }
  return { handle, principal, csrfHeader: req.headers.get(CSRF_HEADER) === '1', resHeaders };
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}
