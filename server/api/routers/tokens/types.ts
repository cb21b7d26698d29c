import { z } from 'zod';
import { reason } from '../../schemas';

export const tokenName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');

export const tokenInfo = z.object({
  name: z.string(),
  role: z.enum(['viewer', 'operator']),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});

export const issueInput = z.object({
  name: tokenName,
  role: z.enum(['viewer', 'operator']),
  reason: reason.optional(),
});

export const revokeInput = z.object({ name: tokenName, reason: reason.optional() });
