/**
 * Primary detection (reference §3.3 step 5, §5): `SELECT pg_is_in_recovery()` on each valid node as sr_check_user;
 * the node answering `f` is the primary. Run at start-up and after every failover/failback, retried every second
 * until search_primary_node_timeout (0 = forever). Guards against routing writes to a standby, or to a node that was
 * promoted by hand (detach_false_primary).
 */
import type { Logger } from '../runtime/logger';

export interface ProbedNode {
  id: number;
  hostname: string;
  port: number;
  /** true = standby, false = primary, null = could not ask. */
  inRecovery: boolean | null;
}

/** A standby's `pg_stat_wal_receiver` row: where it streams from. */
export interface WalReceiverInfo {
  status: string;
  host: string;
  port: number | null;
}

export interface PrimaryDecision {
  primary: number;
  /** Primaries that are not the true one and must be detached (detach_false_primary). */
  falsePrimaries: number[];
  why: string;
}

const LOOPBACK = new Set(['', 'localhost', '127.0.0.1', '::1']);

/** pgpool compares conninfo host/port with backend_hostname/port; Unix-socket paths match empty/`localhost`. */
export function sameHost(conninfoHost: string, backendHost: string): boolean {
  if (conninfoHost === backendHost) return true;
  const a = conninfoHost.startsWith('/') ? '' : conninfoHost;
  const b = backendHost.startsWith('/') ? '' : backendHost;
  return LOOPBACK.has(a) && LOOPBACK.has(b);
}

/** Parses `host=... port=...` out of a libpq conninfo string (values may be single-quoted). */
export function parseConninfo(conninfo: string): { host: string; port: number | null } {
  const kv = new Map<string, string>();
  const re = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g;
  for (let m = re.exec(conninfo); m; m = re.exec(conninfo)) kv.set(m[1] ?? '', m[2] ?? m[3] ?? '');
  const port = kv.get('port');
  return { host: kv.get('host') ?? kv.get('hostaddr') ?? '', port: port ? Number(port) : 5432 };
}

/**
 * pgpool's verify_backend_node_status + find_primary_node rules:
 * - one `f` → it;
 * - several `f` and no standby → the lowest id (others false primaries when detach_false_primary);
 * - several `f` with standbys, detach_false_primary off → the highest id (pgpool's loop keeps the last one);
 * - several `f` with standbys, detach_false_primary on → the primary every streaming standby replicates from; the
 *   others are false primaries. If no primary owns all standbys nothing is detached (and the highest id wins), so a
 *   standby that is briefly disconnected never gets the real primary detached.
 */
export function choosePrimary(
  probed: ProbedNode[],
  opts: { detachFalsePrimary: boolean; receivers?: Map<number, WalReceiverInfo | null> },
): PrimaryDecision {
  const primaries = probed.filter((n) => n.inRecovery === false).sort((a, b) => a.id - b.id);
  const standbys = probed.filter((n) => n.inRecovery === true);
  if (primaries.length === 0)
    return { primary: -1, falsePrimaries: [], why: 'no node answered pg_is_in_recovery() = f' };
  const first = primaries[0]!;
  const last = primaries[primaries.length - 1]!;
  if (primaries.length === 1)
    return { primary: first.id, falsePrimaries: [], why: `node ${first.id} is not in recovery` };
  const ids = primaries.map((p) => p.id).join(', ');
  if (standbys.length === 0) {
    return {
      primary: first.id,
      falsePrimaries: opts.detachFalsePrimary ? primaries.slice(1).map((p) => p.id) : [],
      why: `nodes ${ids} are all primaries and there is no standby: the lowest id wins`,
    };
  }
  if (!opts.detachFalsePrimary || !opts.receivers) {
    return {
      primary: last.id,
      falsePrimaries: [],
      why: `nodes ${ids} are all primaries: the highest id wins`,
    };
  }
  const owners = primaries.filter((p) =>
    standbys.every((s) => {
      const r = opts.receivers?.get(s.id);
      return !!r && r.status === 'streaming' && r.port === p.port && sameHost(r.host, p.hostname);
    }),
  );
  const owner = owners[0];
  if (owners.length !== 1 || !owner) {
    return {
      primary: last.id,
      falsePrimaries: [],
      why: `nodes ${ids} are all primaries and none has every standby: the highest id wins, nothing detached`,
    };
  }
  return {
    primary: owner.id,
    falsePrimaries: primaries.filter((p) => p.id !== owner.id).map((p) => p.id),
    why: `node ${owner.id} is the primary every standby streams from`,
  };
}

export interface PrimarySearchDeps {
  /** Valid nodes right now (status up/waiting), with their addresses and flags. */
  validNodes(): { id: number; hostname: string; port: number; alwaysPrimary: boolean }[];
  /** pg_is_in_recovery() of a node: true / false / null when it could not be asked. */
  isInRecovery(id: number): Promise<boolean | null>;
  /** pg_stat_wal_receiver of a standby (only needed with detach_false_primary). */
  walReceiver?(id: number): Promise<WalReceiverInfo | null>;
  detachFalsePrimary: boolean;
  logger: Logger;
}

/** One pass over the valid nodes. ALWAYS_PRIMARY short-circuits the search. */
export async function findPrimaryOnce(
  deps: PrimarySearchDeps,
): Promise<PrimaryDecision & { probed: ProbedNode[] }> {
  const nodes = deps.validNodes();
  const always = nodes.find((n) => n.alwaysPrimary);
  if (always)
    return { primary: always.id, falsePrimaries: [], why: `node ${always.id} is ALWAYS_PRIMARY`, probed: [] };
  const probed: ProbedNode[] = await Promise.all(
    nodes.map(async (n) => ({
      id: n.id,
      hostname: n.hostname,
      port: n.port,
      inRecovery: await deps.isInRecovery(n.id),
    })),
  );
  let receivers: Map<number, WalReceiverInfo | null> | undefined;
  const primaries = probed.filter((p) => p.inRecovery === false).length;
  if (deps.detachFalsePrimary && primaries > 1 && deps.walReceiver) {
    const walReceiver = deps.walReceiver.bind(deps);
    const standbys = probed.filter((p) => p.inRecovery === true);
    const rows = await Promise.all(standbys.map(async (s) => [s.id, await walReceiver(s.id)] as const));
    receivers = new Map(rows);
  }
  return { ...choosePrimary(probed, { detachFalsePrimary: deps.detachFalsePrimary, receivers }), probed };
}

/** Pause between two primary searches: a promotion usually completes within a few hundred ms of the signal. */
export const FAST_SEARCH_MS = 50;
export const FAST_SEARCH_WINDOW_MS = 3000;
export function searchInterval(elapsedMs: number): number {
  return elapsedMs < FAST_SEARCH_WINDOW_MS ? FAST_SEARCH_MS : 1000;
}

/**
 * pgpool's find_primary_node_repeatedly until a primary is found or `timeoutS` passes (0 = forever). pgpool retries
 * every second; pgwarden every 50 ms for the first 3 s (a failover_command that runs `pg_ctl promote` without -w, or
 * over ssh, returns before the standby has left recovery), then every second. Returns -1 when there is no valid node,
 * on timeout, or when stopped.
 */
export async function findPrimaryRepeatedly(
  deps: PrimarySearchDeps & { timeoutS: number; sleep(ms: number): Promise<boolean>; signal?: AbortSignal },
): Promise<PrimaryDecision> {
  const started = Date.now();
  for (let round = 0; ; round++) {
    if (deps.validNodes().length === 0) return { primary: -1, falsePrimaries: [], why: 'no valid node' };
    const d = await findPrimaryOnce(deps);
    for (const p of d.probed) {
      if (p.inRecovery !== null)
        deps.logger.debug(`find_primary_node: ${p.inRecovery ? 'standby' : 'primary'} node is ${p.id}`);
    }
    if (d.primary >= 0) {
      deps.logger.log(`find_primary_node: primary node is ${d.primary}`);
      return d;
    }
    if (round === 0) deps.logger.log('find_primary_node_repeatedly: waiting for finding a primary node');
    if (deps.timeoutS > 0 && Date.now() - started >= deps.timeoutS * 1000) {
      deps.logger.log(
        `failed to find primary node: search_primary_node_timeout (${deps.timeoutS} s) expired`,
      );
      return { primary: -1, falsePrimaries: [], why: `no primary found within ${deps.timeoutS} s` };
    }
    if (deps.signal?.aborted || !(await deps.sleep(searchInterval(Date.now() - started)))) {
      return { primary: -1, falsePrimaries: [], why: 'primary search stopped' };
    }
  }
}
