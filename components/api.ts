/** The dashboard's tRPC client, typed by the server's router (types only: nothing from the server is bundled). */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTrpcClient } from '@/lib/trpc';
import type { AppRouter } from '@/server/api/root';

export const trpc = createTrpcClient<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type ClusterView = RouterOutputs['cluster']['snapshot'];
export type NodeView = ClusterView['nodes'][number];
export type EventView = RouterOutputs['events']['list'][number];
export type EventFilter = Exclude<RouterInputs['events']['list'], void | undefined>;
export type Me = RouterOutputs['auth']['me'];
export type RecoveryRunView = RouterOutputs['recovery']['get'];
export type RecoveryStageView = RecoveryRunView['stages'][number];
export type SessionView = RouterOutputs['pools']['sessions'][number];
export type PoolView = RouterOutputs['pools']['pools'][number];
export type WatchdogView = RouterOutputs['watchdog']['info'];
export type ConfigView = RouterOutputs['config']['effective'];
