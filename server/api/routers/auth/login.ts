import { TRPCError } from '@trpc/server';
import { publicProcedure } from '../../trpc';
import { sessionCookie } from './cookie';
import { loginInput } from './types';

/** Signs in with a pcp.conf user (operator) or a dashboard user; sets the session cookie. */
export const login = publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
  const result = await ctx.handle.services.auth.login(input.name, input.password);
  if (!result) {
    // Same answer and a fixed delay for unknown users and wrong passwords.
    await new Promise((r) => setTimeout(r, 400));
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong user name or password' });
  }
  ctx.resHeaders.append('set-cookie', sessionCookie(result.session));
  return { name: result.principal.name, role: result.principal.role };
});
