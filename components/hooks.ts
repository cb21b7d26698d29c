'use client';
/** SWR hooks over the tRPC vanilla client: the key names the procedure, the fetcher calls it. */
import useSWR, { type SWRConfiguration } from 'swr';
import {
  trpc,
  type ClusterView,
  type ConfigView,
  type EventFilter,
  type EventView,
  type Me,
  type PoolView,
  type RecoveryRunView,
  type SessionView,
  type WatchdogView,
} from './api';

const TABLE: SWRConfiguration = { keepPreviousData: true, dedupingInterval: 500 };

export function useMe() {
  return useSWR<Me>('auth.me', () => trpc.auth.me.query(), { revalidateOnFocus: true });
}

/** The cluster view, refreshed every second (node status changes show within a second). */
export function useCluster(enabled: boolean, config: SWRConfiguration = {}) {
  return useSWR<ClusterView>(enabled ? 'cluster.snapshot' : null, () => trpc.cluster.snapshot.query(), {
    ...TABLE,
    refreshInterval: 1000,
    ...config,
  });
}

/** The latest decisions and actions (kinds: every one but recovery output lines). */
export function useRecentEvents(enabled: boolean, kind: EventFilter['kind'], limit = 15) {
  return useEvents(enabled ? { limit, kind } : null);
}

/** The audit trail with a filter (null: do not fetch). */
export function useEvents(filter: EventFilter | null) {
  return useSWR<EventView[]>(
    filter ? ['events.list', JSON.stringify(filter)] : null,
    () => trpc.events.list.query(filter ?? undefined),
    { ...TABLE, refreshInterval: 5000 },
  );
}

export function useRecoveryRuns() {
  return useSWR<RecoveryRunView[]>('recovery.list', () => trpc.recovery.list.query(), {
    ...TABLE,
    refreshInterval: 5000,
  });
}

export function recoveryRunKey(runId: string) {
  return ['recovery.get', runId] as const;
}

export function useRecoveryRun(runId: string | null) {
  return useSWR<RecoveryRunView>(
    runId ? recoveryRunKey(runId) : null,
    () => trpc.recovery.get.query({ runId: runId! }),
    { ...TABLE, keepPreviousData: false },
  );
}

export function useSessions() {
  return useSWR<SessionView[]>('pools.sessions', () => trpc.pools.sessions.query(), {
    ...TABLE,
    refreshInterval: 2000,
  });
}

export function usePools() {
  return useSWR<PoolView[]>('pools.pools', () => trpc.pools.pools.query(), {
    ...TABLE,
    refreshInterval: 2000,
  });
}

export function useWatchdog() {
  return useSWR<WatchdogView>('watchdog.info', () => trpc.watchdog.info.query(), {
    ...TABLE,
    refreshInterval: 10_000,
  });
}

export function useEffectiveConfig() {
  return useSWR<ConfigView>('config.effective', () => trpc.config.effective.query(), TABLE);
}
