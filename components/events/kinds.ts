import type { EventFilter } from '../api';

export type Kind = NonNullable<EventFilter['kind']>[number];

/** Every kind but the recovery's output lines (those are in the Recovery view, stage by stage). */
export const DECISION_KINDS: Kind[] = [
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
  'recovery_finished',
  'config_reloaded',
  'engine_started',
  'engine_stopping',
  'mismatch',
];
