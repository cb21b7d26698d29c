/**
 * The one table from EngineError codes to tRPC codes and HTTP statuses (ARCHITECTURE.md rule 5). REST uses the
 * `http` column; tRPC derives its HTTP status from the tRPC code.
 */
import { TRPCError } from '@trpc/server';
import { isEngineError, type EngineErrorCode } from '../engine/errors';

type TrpcCode = TRPCError['code'];

export const ENGINE_ERROR_STATUS: Record<EngineErrorCode, { trpc: TrpcCode; http: number }> = {
  config_invalid: { trpc: 'BAD_REQUEST', http: 400 },
  node_not_found: { trpc: 'NOT_FOUND', http: 404 },
  node_already_up: { trpc: 'CONFLICT', http: 409 },
  node_already_down: { trpc: 'CONFLICT', http: 409 },
  node_is_primary: { trpc: 'CONFLICT', http: 409 },
  node_not_standby: { trpc: 'CONFLICT', http: 409 },
  failover_disallowed: { trpc: 'FORBIDDEN', http: 403 },
  failover_in_progress: { trpc: 'CONFLICT', http: 409 },
  recovery_in_progress: { trpc: 'CONFLICT', http: 409 },
  recovery_failed: { trpc: 'INTERNAL_SERVER_ERROR', http: 500 },
  wrong_mode: { trpc: 'PRECONDITION_FAILED', http: 412 },
  not_implemented: { trpc: 'NOT_IMPLEMENTED', http: 501 },
  watchdog_disabled: { trpc: 'PRECONDITION_FAILED', http: 412 },
  backend_unavailable: { trpc: 'SERVICE_UNAVAILABLE', http: 503 },
  timeout: { trpc: 'TIMEOUT', http: 504 },
  cancelled: { trpc: 'CLIENT_CLOSED_REQUEST', http: 499 },
  internal: { trpc: 'INTERNAL_SERVER_ERROR', http: 500 },
};

/** Engine errors become TRPCErrors with their code kept in `cause` (the error formatter exposes it). */
export function toTrpcError(e: unknown): unknown {
  if (!isEngineError(e)) return e;
  const row = ENGINE_ERROR_STATUS[e.code] ?? ENGINE_ERROR_STATUS.internal;
  return new TRPCError({ code: row.trpc, message: e.message, cause: e });
}
