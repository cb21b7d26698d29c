/**
 * The browser's tRPC client factory: batched HTTP for queries and mutations (with the CSRF header), Server-Sent
 * Events for subscriptions, superjson so Dates arrive as Dates. Generic over the router so lib/ stays free of server
 * imports; components/api.ts instantiates it with the AppRouter type.
 */
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import type { AnyTRPCRouter, initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { CSRF_HEADER } from './auth';

export const TRPC_PATH = '/api/trpc';

// Type-only witness of a router with the superjson transformer (never instantiated at run time).
declare const _superjsonT: ReturnType<typeof initTRPC.create<{ transformer: typeof superjson }>>;
type SuperjsonRouter = ReturnType<typeof _superjsonT.router>;

export function createTrpcClient<TRouter extends AnyTRPCRouter>(baseUrl = ''): TRPCClient<TRouter> {
  const url = `${baseUrl}${TRPC_PATH}`;
  // Links are built for "a router using superjson"; the concrete router type is applied to the client.
  const link: TRPCLink<SuperjsonRouter> = splitLink({
    condition: (op) => op.type === 'subscription',
    true: httpSubscriptionLink({ url, transformer: superjson }),
    false: httpBatchLink({ url, transformer: superjson, headers: () => ({ [CSRF_HEADER]: '1' }) }),
  });
  return createTRPCClient<TRouter>({ links: [link as unknown as TRPCLink<TRouter>] });
}
