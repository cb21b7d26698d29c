'use client';
/** SWR hooks over the tRPC vanilla client: the key names the procedure, the fetcher calls it. */
import useSWR, { type SWRConfiguration } from 'swr';
import { trpc, type ClusterView, type EventView, type Me } from './api';

export function useMe() {
  return useSWR<Me>('auth.me', () => trpc.auth.me.query(), { revalidateOnFocus: true });
}

/** The cluster view, refreshed every second (node status changes show within a second). */
export function useCluster(enabled: boolean, config: SWRConfiguration = {}) {
  return useSWR<ClusterView>(enabled ? 'cluster.snapshot' : null, () => trpc.cluster.snapshot.query(), {
    refreshInterval: 1000,
    dedupingInterval: 500,
    keepPreviousData: true,
    ...config,
  });
}

export function useRecentEvents(enabled: boolean, limit = 15) {
  return useSWR<EventView[]>(
    enabled ? ['events.list', limit] : null,
    () => trpc.events.list.query({ limit }),
    {
      refreshInterval: 5000,
      keepPreviousData: true,
    },
  );
}
