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

const t = initTRPC.context<Context>().create({
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

export const publicProcedure = t.procedure.use(mapEngineErrors).use(csrf);
export const viewerProcedure = publicProcedure.use(requireRole('viewer'));
export const operatorProcedure = publicProcedure.use(requireRole('operator'));
