import { z } from 'zod';
import { eventKinds } from '../../schemas';

export const EVENT_KINDS = eventKinds;

export const EVENT_INTERFACES = ['engine', 'pcp', 'sql', 'dashboard', 'rest', 'cli'] as const;

export const listEventsInput = z
  .object({
    kind: z.array(z.enum(EVENT_KINDS)).max(EVENT_KINDS.length).optional(),
    nodeId: z.number().int().min(0).max(127).optional(),
    /** Actor name, exact (a PCP user, dashboard user, token name, or 'pgwarden' for the engine itself). */
    actor: z.string().max(200).optional(),
    /** The interface the actor used. */
    interface: z.enum(EVENT_INTERFACES).optional(),
    since: z.date().optional(),
    beforeId: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .default({ limit: 100 });

export const onEventInput = z.object({ lastEventId: z.string().nullish() }).optional();
