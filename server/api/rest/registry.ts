/**
 * The REST routes, walked from the tRPC router: every procedure with `meta.rest` (server/api/trpc.ts) becomes one
 * route under /api/v1, with its input and output JSON Schemas generated from the same zod schemas. REST and tRPC
 * cannot drift: REST calls the procedures themselves through createCaller (./handler.ts).
 */
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import type { z } from 'zod';
import type { ProcedureMeta, RestMeta } from '../trpc';
import { toJsonSchema, type JsonSchema } from './json-schema';

export interface RestRoute {
  /** tRPC path, e.g. 'nodes.detach' (also the OpenAPI operationId). */
  procedure: string;
  type: 'query' | 'mutation' | 'subscription';
  rest: RestMeta;
  role: NonNullable<ProcedureMeta['role']>;
  /** Names of the `{param}` segments, in order. */
  params: string[];
  match(pathname: string): Record<string, string> | null;
  /** Literal segments count: more specific routes are tried first (/recovery/events before /recovery/{runId}). */
  literals: number;
  input: JsonSchema | null;
  output: JsonSchema | null;
}

interface ProcedureDef {
  type: RestRoute['type'];
  meta?: ProcedureMeta;
  inputs: z.ZodType[];
  output?: z.ZodType;
}

export function restRoutes(router: AnyTRPCRouter): RestRoute[] {
  const procedures = (router._def as { procedures: Record<string, AnyTRPCProcedure> }).procedures;
  const routes: RestRoute[] = [];
  for (const [procedure, proc] of Object.entries(procedures)) {
    const def = proc._def as unknown as ProcedureDef;
    const rest = def.meta?.rest;
    if (!rest) continue;
    const segments = rest.path.split('/').filter(Boolean);
    const params = segments.filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
    routes.push({
      procedure,
      type: def.type,
      rest,
      role: def.meta?.role ?? 'public',
      params,
      literals: segments.length - params.length,
      match(pathname) {
        const parts = pathname.split('/').filter(Boolean);
        if (parts.length !== segments.length) return null;
        const found: Record<string, string> = {};
        for (let i = 0; i < segments.length; i++) {
          const seg = segments[i]!;
          if (seg.startsWith('{')) found[seg.slice(1, -1)] = decodeURIComponent(parts[i]!);
          else if (seg !== parts[i]) return null;
        }
        return found;
      },
      input: def.inputs[0] ? toJsonSchema(def.inputs[0], 'input') : null,
      output: def.output ? toJsonSchema(def.output, 'output') : null,
    });
  }
  return routes.sort((a, b) => b.literals - a.literals);
}

/** The route for a method and path (relative to /api/v1); `methods` lists what the path allows when none matches. */
export function findRoute(
  routes: RestRoute[],
  method: string,
  pathname: string,
): { route: RestRoute; params: Record<string, string> } | { route: null; methods: string[] } {
  const methods: string[] = [];
  for (const route of routes) {
    const params = route.match(pathname);
    if (!params) continue;
    if (route.rest.method === method) return { route, params };
    methods.push(route.rest.method);
  }
  return { route: null, methods };
}
