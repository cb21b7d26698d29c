/**
 * The persisted audit trail: every engine event (who did what, why, outcome), queryable by kind, node, actor and
 * time. The engine keeps only a bounded ring; this is the history that survives restarts.
 */
import type { Actor, EngineEvent, EventKind } from '../../engine/state/types';
import type { StoreClient } from '../store/client';

export interface StoredEvent {
  id: number;
  engineEventId: number;
  time: Date;
  kind: EventKind;
  nodeId: number | null;
  actor: Actor;
  summary: string;
  reason: { code: string; message: string } | null;
  outcome: EngineEvent['outcome'];
  details: Record<string, unknown> | null;
}

export interface ListEventsFilter {
  kind?: EventKind | EventKind[];
  nodeId?: number;
  /** Actor name (e.g. a PCP user), exact match. */
  actor?: string;
  /** The interface the actor used (dashboard, rest, cli, pcp, sql, engine). */
  interface?: Actor['interface'];
  since?: Date;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
  /** For paging back: only events with a store id below this one. */
  beforeId?: number;
}

export async function recordEvent(db: StoreClient, event: EngineEvent): Promise<void> {
  await db.event.create({
    data: {
      engineEventId: event.id,
      time: event.time,
      kind: event.kind,
      nodeId: event.nodeId,
      actorName: event.actor.name,
      actorInterface: event.actor.interface,
      summary: event.summary,
      reasonCode: event.reason?.code ?? null,
      reasonMessage: event.reason?.message ?? null,
      outcome: event.outcome,
      details: toJson({
        ...(event.details ?? {}),
        ...(event.reason?.details ? { reason: event.reason.details } : {}),
      }),
    },
  });
}

export async function listEvents(db: StoreClient, filter: ListEventsFilter = {}): Promise<StoredEvent[]> {
  const rows = await db.event.findMany({
    where: {
      kind:
        filter.kind === undefined
          ? undefined
          : Array.isArray(filter.kind)
            ? { in: filter.kind }
            : filter.kind,
      nodeId: filter.nodeId,
      actorName: filter.actor,
      actorInterface: filter.interface,
      time: filter.since ? { gte: filter.since } : undefined,
      id: filter.beforeId !== undefined ? { lt: filter.beforeId } : undefined,
    },
    orderBy: { id: 'desc' },
    take: Math.min(Math.max(filter.limit ?? 100, 1), 1000),
  });
  return rows.map((r) => ({
    id: r.id,
    engineEventId: r.engineEventId,
    time: r.time,
    kind: r.kind as EventKind,
    nodeId: r.nodeId,
    actor: { name: r.actorName, interface: r.actorInterface as Actor['interface'] },
    summary: r.summary,
    reason: r.reasonCode !== null ? { code: r.reasonCode, message: r.reasonMessage ?? '' } : null,
    outcome: r.outcome as EngineEvent['outcome'],
    details: isRecord(r.details) ? r.details : null,
  }));
}

/** Details are free-form engine data: keep what JSON can carry (Dates become ISO strings), drop empty objects. */
function toJson(details: Record<string, unknown>): object | undefined {
  if (Object.keys(details).length === 0) return undefined;
  return JSON.parse(JSON.stringify(details)) as object;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
