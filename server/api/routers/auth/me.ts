import { publicProcedure } from '../../trpc';

/** Who the browser is signed in as (null when not): drives the sign-in screen and which buttons show. */
export const me = publicProcedure.query(({ ctx }) =>
  ctx.principal ? { name: ctx.principal.name, role: ctx.principal.role } : null,
);
