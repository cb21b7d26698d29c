/**
 * Patroni-style health endpoints for load balancers and probes: unauthenticated, cheap (one engine snapshot, shared
 * by requests within HEALTH_CACHE_MS), answered from the engine's latest checks. 200 when healthy, 503 otherwise,
 * always with a JSON body whose `reason` says why.
 *
 *   /health     pgwarden runs and at least one backend is up
 *   /primary    a primary (main node outside streaming mode) is known and up
 *   /replica    some standby is up; ?lag=16MB or ?lag=5s also requires its delay to be within that
 *   /liveness   the engine answers (within LIVENESS_TIMEOUT_MS)
 *   /readiness  the engine answers, no failover is running, and a backend is up
 */
import type { ClusterSnapshot, EngineApi } from '../../engine/api';
import type { NodeSnapshot } from '../../engine/state/types';

export const HEALTH_PATHS = new Set(['/health', '/primary', '/replica', '/liveness', '/readiness']);
const HEALTH_CACHE_MS = 200;
const LIVENESS_TIMEOUT_MS = 2_000;

export interface HealthAnswer {
  status: 200 | 503;
  body: {
    status: 'ok' | 'unavailable';
    reason: string;
    primaryNodeId?: number;
    nodes?: {
      id: number;
      status: string;
      role: string;
      replicationDelayBytes: number;
      replicationDelaySeconds: number | null;
    }[];
  };
}

export type Lag = { bytes: number } | { seconds: number };

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { ms: 0.001, s: 1, min: 60, m: 60, h: 3600, d: 86400 };

/** '16MB', '1024kB', '500' (bytes), '5s', '250ms', '1min', '2h' -> a byte or time limit; null when unreadable. */
export function parseLag(text: string): Lag | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === '') return { bytes: n };
  if (unit in BYTE_UNITS) return { bytes: n * BYTE_UNITS[unit]! };
  if (unit in TIME_UNITS) return { seconds: n * TIME_UNITS[unit]! };
  return null;
}

export class HealthService {
  private last: { at: number; snap: Promise<ClusterSnapshot> } | null = null;

  constructor(private readonly engine: () => EngineApi) {}

  private snapshot(): Promise<ClusterSnapshot> {
    const now = Date.now();
    if (this.last && now - this.last.at < HEALTH_CACHE_MS) return this.last.snap;
    const snap = withTimeout(this.engine().snapshot(), LIVENESS_TIMEOUT_MS);
    this.last = { at: now, snap };
    snap.catch(() => {
      if (this.last?.snap === snap) this.last = null;
    });
    return snap;
  }

  async answer(path: string, query: URLSearchParams): Promise<HealthAnswer> {
    let snap: ClusterSnapshot;
    try {
      snap = await this.snapshot();
    } catch (err) {
      return unavailable(`the engine does not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    const nodes = snap.nodes.map((n) => ({
      id: n.id,
      status: n.status,
      role: n.role,
      replicationDelayBytes: n.replicationDelayBytes,
      replicationDelaySeconds: n.replicationDelaySeconds,
    }));
    const up = snap.nodes.filter(isUp);
    const withNodes = (a: HealthAnswer): HealthAnswer => ({
      ...a,
      body: { ...a.body, primaryNodeId: primaryId(snap), nodes },
    });
    switch (path) {
      case '/liveness':
        return ok(`engine answers (pgwarden ${snap.version}, up since ${snap.startedAt.toISOString()})`);
      case '/health':
        return withNodes(
          up.length > 0
            ? ok(`${up.length} of ${snap.nodes.length} backends up`)
            : unavailable(`no backend is up (${downReasons(snap.nodes)})`),
        );
      case '/readiness':
        if (snap.failoverInProgress) return withNodes(unavailable('a failover is in progress'));
        return withNodes(
          up.length > 0
            ? ok(`ready: ${up.length} of ${snap.nodes.length} backends up`)
            : unavailable(`no backend is up (${downReasons(snap.nodes)})`),
        );
      case '/primary': {
        const id = primaryId(snap);
        if (id < 0)
          return withNodes(
            unavailable(`no primary is known${snap.failoverInProgress ? ' (failover in progress)' : ''}`),
          );
        const node = snap.nodes.find((n) => n.id === id);
        if (!node || !isUp(node))
          return withNodes(
            unavailable(
              `primary node ${id} is ${node?.status ?? 'missing'}${node?.reason ? `: ${node.reason.message}` : ''}`,
            ),
          );
        return withNodes(ok(`node ${id} (${node.hostname}:${node.port}) is the primary and up`));
      }
      case '/replica':
        return withNodes(replica(snap, query.get('lag')));
      default:
        return unavailable(`unknown health endpoint ${path}`);
    }
  }
}

function replica(snap: ClusterSnapshot, lagText: string | null): HealthAnswer {
  const lag = lagText === null || lagText === '' ? null : parseLag(lagText);
  if (lagText && !lag)
    return unavailable(`cannot read lag=${lagText} (use bytes like 16MB or a duration like 5s)`);
  const primary = primaryId(snap);
  const standbys = snap.nodes.filter(
    (n) => n.id !== primary && (n.role === 'standby' || n.role === 'replica') && isUp(n),
  );
  if (standbys.length === 0) return unavailable('no standby is up');
  if (!lag) return ok(`${standbys.length} standby(s) up: ${standbys.map((n) => n.id).join(', ')}`);
  const within = standbys.filter((n) =>
    'bytes' in lag
      ? n.replicationDelayBytes <= lag.bytes
      : n.replicationDelaySeconds !== null && n.replicationDelaySeconds <= lag.seconds,
  );
  const shown = 'bytes' in lag ? `${lag.bytes} bytes` : `${lag.seconds} s`;
  if (within.length > 0)
    return ok(`${within.length} standby(s) within ${shown}: ${within.map((n) => n.id).join(', ')}`);
  return unavailable(
    `no standby within ${shown}: ${standbys
      .map(
        (n) => `node ${n.id} ${n.replicationDelayBytes} bytes / ${n.replicationDelaySeconds ?? 'unknown'} s`,
      )
      .join(', ')}`,
  );
}

/** 'waiting' is pgpool's CON_CONNECT_WAIT: up, no connection made yet. */
function isUp(n: NodeSnapshot): boolean {
  return n.status === 'up' || n.status === 'waiting';
}

function primaryId(snap: ClusterSnapshot): number {
  return snap.mode === 'streaming_replication' ? snap.primaryNodeId : snap.mainNodeId;
}

function downReasons(nodes: NodeSnapshot[]): string {
  return nodes.map((n) => `node ${n.id} ${n.status}${n.reason ? `: ${n.reason.message}` : ''}`).join('; ');
}

function ok(reason: string): HealthAnswer {
  return { status: 200, body: { status: 'ok', reason } };
}

function unavailable(reason: string): HealthAnswer {
  return { status: 503, body: { status: 'unavailable', reason } };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
