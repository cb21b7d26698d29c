/**
 * The kinds of engine event, in one list shared by the control plane's zod schemas (server/api/schemas.ts, checked
 * there against the engine's EngineEvent type) and the dashboard's filters.
 */
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

export type EventKind = (typeof EVENT_KINDS)[number];
