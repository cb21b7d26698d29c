import { publicProcedure } from '../../trpc';
import { sessionCookie } from './cookie';

export const logout = publicProcedure.mutation(({ ctx }) => {
  ctx.resHeaders.append('set-cookie', sessionCookie('', 0));
  return { ok: true as const };
});
