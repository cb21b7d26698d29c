import { z } from 'zod';
import { operatorProcedure } from '../../trpc';
import { tokenInfo } from './types';

/** The API tokens (names, roles, last use); the token texts are never kept. */
export const list = operatorProcedure
  .meta({ rest: { method: 'GET', path: '/tokens', summary: 'List API tokens', tags: ['tokens'] } })
  .output(z.array(tokenInfo))
  .query(({ ctx }) => ctx.handle.services.tokens.list());
