/**
 * Zod schemas of what procedures return: they validate outputs (so the REST/OpenAPI contract cannot drift from the
 * engine's types) and generate the OpenAPI document's response schemas. Dates are Date objects here (superjson
 * carries them over tRPC); REST serialises them as ISO 8601 strings (`format: date-time` in the document).
 */
import { z } from 'zod';
import { EVENT_KINDS as eventKinds } from '../../lib/event-kinds';
import type { ClusterSnapshot, PoolEntry, RecoveryRun, RecoveryStage, SessionEntry } from '../engine/api';
import type { EngineEvent, NodeSnapshot } from '../engine/state/types';
import type { StoredEvent } from '../services/events/events';

export const ok = z.object({ ok: z.literal(true) });

export const nodeId = z.number().int().min(0).max(127);
/** Why the operator does this; kept in the audit trail. */
export const reason = z.string().trim().max(500);

export const actorSchema = z.object({
  name: z.string(),
  interface: z.enum(['engine', 'pcp', 'sql', 'dashboard', 'rest', 'cli']),
});

export const reasonSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const nodeSchema = z.object({
  id: z.number().int(),
  hostname: z.string(),
  port: z.number().int(),
  dataDirectory: z.string(),
  applicationName: z.string(),
  status: z.enum(['unused', 'waiting', 'up', 'down']),
  quarantined: z.boolean(),
  weight: z.number(),
  normalizedWeight: z.number(),
  role: z.enum(['primary', 'standby', 'main', 'replica']),
  pgRole: z.enum(['primary', 'standby', 'unknown']),
  pgStatus: z.enum(['up', 'down', 'unknown']),
  flags: z.object({ allowToFailover: z.boolean(), alwaysPrimary: z.boolean() }),
  lastStatusChange: z.date(),
  reason: reasonSchema.nullable(),
  replicationDelayBytes: z.number(),
  replicationDelaySeconds: z.number().nullable(),
  replicationState: z.string(),
  replicationSyncState: z.string(),
  loadBalanceEligible: z.boolean(),
  notLoadBalancedReason: z.string().nullable(),
  counters: z.object({
    select: z.number(),
    insert: z.number(),
    update: z.number(),
    delete: z.number(),
    ddl: z.number(),
    other: z.number(),
    panic: z.number(),
    fatal: z.number(),
    error: z.number(),
  }),
});

export const clusterSnapshotSchema = z.object({
  mode: z.enum([
    'streaming_replication',
    'native_replication',
    'logical_replication',
    'slony',
    'raw',
    'snapshot_isolation',
  ]),
  primaryNodeId: z.number().int(),
  mainNodeId: z.number().int(),
  nodes: z.array(nodeSchema),
  failoverInProgress: z.boolean(),
  recoveryInProgress: z.boolean(),
  clientSessions: z.object({ active: z.number().int(), max: z.number().int() }),
  startedAt: z.date(),
  version: z.string(),
});

export const recoveryStageSchema = z.object({
  name: z.string(),
  startedAt: z.date().nullable(),
  endedAt: z.date().nullable(),
  outcome: z.enum(['pending', 'running', 'ok', 'failed', 'skipped', 'cancelled']),
  command: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  output: z.string(),
});

export const recoveryRunSchema = z.object({
  id: z.string(),
  nodeId: z.number().int(),
  actor: actorSchema,
  startedAt: z.date(),
  endedAt: z.date().nullable(),
  outcome: z.enum(['running', 'ok', 'failed', 'cancelled']),
  error: z.string().nullable(),
  stages: z.array(recoveryStageSchema),
});

export { eventKinds };

const outcome = z.enum(['ok', 'failed', 'refused', 'info']);

/** A live engine event (the SSE streams). */
export const engineEventSchema = z.object({
  id: z.number().int(),
  time: z.date(),
  kind: z.enum(eventKinds),
  nodeId: z.number().int().nullable(),
  actor: actorSchema,
  summary: z.string(),
  reason: reasonSchema.nullable(),
  outcome,
  details: z.record(z.string(), z.unknown()).optional(),
});

/** A persisted audit event (events.list). */
export const storedEventSchema = z.object({
  id: z.number().int(),
  engineEventId: z.number().int(),
  time: z.date(),
  kind: z.enum(eventKinds),
  nodeId: z.number().int().nullable(),
  actor: actorSchema,
  summary: z.string(),
  reason: z.object({ code: z.string(), message: z.string() }).nullable(),
  outcome,
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const sessionSchema = z.object({
  poolPid: z.number().int(),
  startTime: z.date(),
  clientConnectionCount: z.number().int(),
  database: z.string(),
  username: z.string(),
  clientAddress: z.string(),
  applicationName: z.string(),
  backendConnectionTime: z.date().nullable(),
  poolCounter: z.number().int(),
  status: z.enum(['Wait for connection', 'Idle', 'Idle in transaction', 'Execute command']),
  loadBalanceNode: z.number().int(),
});

export const poolSchema = z.object({
  poolPid: z.number().int(),
  startTime: z.date(),
  poolId: z.number().int(),
  backendId: z.number().int(),
  database: z.string(),
  username: z.string(),
  backendConnectionTime: z.date().nullable(),
  clientConnectionTime: z.date().nullable(),
  clientDisconnectionTime: z.date().nullable(),
  clientIdleDuration: z.number(),
  majorVersion: z.number().int(),
  minorVersion: z.number().int(),
  poolCounter: z.number().int(),
  backendPid: z.number().int(),
  connected: z.boolean(),
  status: z.string(),
});

/*
 * Drift guards: these schemas must name exactly the fields of the engine's types (zod strips unknown keys, so a field
 * added to the engine without being added here would silently vanish from tRPC, REST and the OpenAPI document). A
 * type error on one of these lines means: add the new field to the schema above.
 */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : false;
export const SCHEMAS_MATCH_ENGINE_TYPES: [
  SameKeys<NodeSnapshot, z.infer<typeof nodeSchema>>,
  SameKeys<NodeSnapshot['counters'], z.infer<typeof nodeSchema>['counters']>,
  SameKeys<ClusterSnapshot, z.infer<typeof clusterSnapshotSchema>>,
  SameKeys<RecoveryRun, z.infer<typeof recoveryRunSchema>>,
  SameKeys<RecoveryStage, z.infer<typeof recoveryStageSchema>>,
  SameKeys<EngineEvent, z.infer<typeof engineEventSchema>>,
  SameKeys<StoredEvent, z.infer<typeof storedEventSchema>>,
  SameKeys<SessionEntry, z.infer<typeof sessionSchema>>,
  SameKeys<PoolEntry, z.infer<typeof poolSchema>>,
] = [true, true, true, true, true, true, true, true, true];
