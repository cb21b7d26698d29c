import { z } from 'zod';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { issueInput } from './types';

/** Creates (or replaces) a named API token: viewer for monitoring, operator for runbooks. Shown once; audited. */
export const issue = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/tokens',
      summary: 'Issue an API token (the token text is returned once)',
      tags: ['tokens'],
    },
  })
  .input(issueInput)
  .output(z.object({ name: z.string(), role: z.enum(['viewer', 'operator']), token: z.string() }))
  .mutation(async ({ ctx, input }) => ({
    name: input.name,
    role: input.role,
    token: await ctx.handle.services.tokens.issue(
      input.name,
      input.role,
      actorOf(ctx.principal),
      input.reason,
    ),
  }));
