/**
 * tRPC setup: superjson (Dates cross intact), engine errors mapped through the one table (./errors.ts), and the
 * procedure builders with their guards: `viewerProcedure` for reads, `operatorProcedure` for mutations that change
 * the cluster (operator role + CSRF header unless called with a bearer token).
 */
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { isEngineError } from '../engine/errors';
import type { Role } from '../services/control-plane';
import type { Context } from './context';
import { toTrpcError } from './errors';

/**
 * Procedure meta: how a procedure is exposed over REST (/api/v1, generated from this router, see ./rest/) and who
 * may call it. `rest.path` is relative to /api/v1 with `{param}` segments taken from the input object, e.g.
 * `.meta({ rest: { method: 'POST', path: '/nodes/{nodeId}/detach', summary: 'Detach a node' } })`.
 * Procedures without `rest` are tRPC-only. `role` is filled in by viewerProcedure / operatorProcedure.
 */
export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export interface RestMeta {
  method: RestMethod;
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Served as text/event-stream over REST (subscriptions). */
  stream?: boolean;
}
export interface ProcedureMeta {
  rest?: RestMeta;
  /** The role a caller needs: none (public), viewer (reads) or operator (mutations that change the cluster). */
  role?: Role | 'public';
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    defaultMeta: { role: 'public' },
    transformer: superjson,
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // Stack traces stay in the server log; clients get the code, message and the engine's reason code.
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        data: {
          ...data,
          engineCode: isEngineError(cause) ? cause.code : null,
          retryable: isEngineError(cause) ? cause.retryable : false,
        },
      };
    },
  });

export const router = t.router;

const mapEngineErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isEngineError(result.error.cause)) throw toTrpcError(result.error.cause);
  return result;
});

/** Every mutation needs the CSRF header, except with a bearer token (no ambient credential to abuse). */
const csrf = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.principal?.via !== 'bearer' && !ctx.csrfHeader) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'missing CSRF header' });
  }
  return next();
});

const requireRole = (role: Role) =>
  t.middleware(({ ctx, next }) => {
    if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
    if (role === 'operator' && ctx.principal.role !== 'operator') {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `${ctx.principal.name} is a viewer; this needs an operator`,
      });
    }
    return next({ ctx: { ...ctx, principal: ctx.principal } });
  });

const base = t.procedure.use(mapEngineErrors);
export const publicProcedure = base.use(csrf);
/**
 * Reads: any signed-in user or token. Chain `.meta({ rest: ... })` after it; the role is kept from here
 * (tRPC merges meta objects shallowly, so `rest` and `role` live side by side).
 */
// The role check runs before the CSRF check: no credentials at all is 401, not a CSRF 403.
export const viewerProcedure = base.meta({ role: 'viewer' }).use(requireRole('viewer')).use(csrf);
/** Mutations that change the cluster: operator role; audited with actorOf(ctx.principal) and a reason. */
export const operatorProcedure = base.meta({ role: 'operator' }).use(requireRole('operator')).use(csrf);
