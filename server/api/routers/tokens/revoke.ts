import { TRPCError } from '@trpc/server';
import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { revokeInput } from './types';

/** Revokes an API token at once (its next request answers 401); audited. */
export const revoke = operatorProcedure
  .meta({
    rest: { method: 'DELETE', path: '/tokens/{name}', summary: 'Revoke an API token', tags: ['tokens'] },
  })
  .input(revokeInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    if (!(await ctx.handle.services.tokens.revoke(input.name, actorOf(ctx.principal), input.reason)))
      throw new TRPCError({ code: 'NOT_FOUND', message: `no API token named ${input.name}` });
    return { ok: true as const };
  });
