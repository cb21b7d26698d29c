import { z } from 'zod';

export const loginInput = z.object({
  name: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(1000),
});
