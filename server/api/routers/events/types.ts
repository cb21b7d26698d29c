import { z } from 'zod';

export const EVENT_KINDS = [
  'node_status_changed',
  'primary_changed',
  'failover_started',
  'failover_finished',
  'failback',
  'follow_primary',
  'command_executed',
  'admin_action',
  'health_check_failed',
  'weight_changed',
  'recovery_started',
  'recovery_stage',
  'recovery_output',
  'recovery_finished',
  'config_reloaded',
  'engine_started',
  'engine_stopping',
  'mismatch',
] as const;

export const listEventsInput = z
  .object({
    kind: z.array(z.enum(EVENT_KINDS)).max(EVENT_KINDS.length).optional(),
    nodeId: z.number().int().min(0).max(127).optional(),
    actor: z.string().max(200).optional(),
    since: z.date().optional(),
    beforeId: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .default({ limit: 100 });

export const onEventInput = z.object({ lastEventId: z.string().nullish() }).optional();
