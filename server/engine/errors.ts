/**
 * Errors are values with a stable `code`, a `retryable` flag and the human reason (ARCHITECTURE.md rule 5).
 * The control plane maps codes to HTTP/tRPC statuses in one table; PCP prints `message`.
 */
export type EngineErrorCode =
  | 'config_invalid'
  | 'node_not_found'
  | 'node_already_up'
  | 'node_already_down'
  | 'node_is_primary'
  | 'node_not_standby'
  | 'failover_disallowed'
  | 'failover_in_progress'
  | 'recovery_in_progress'
  | 'recovery_failed'
  | 'wrong_mode'
  | 'not_implemented'
  | 'watchdog_disabled'
  | 'backend_unavailable'
  | 'timeout'
  | 'cancelled'
  | 'internal';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: EngineErrorCode,
    message: string,
    opts: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'EngineError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }

  toJSON(): {
    code: EngineErrorCode;
    message: string;
    retryable: boolean;
    details?: Record<string, unknown>;
  } {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Duck-typed check: errors cross worker/module boundaries where instanceof fails (ARCHITECTURE.md rule 1). */
export function isEngineError(e: unknown): e is EngineError {
  return (
    typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'EngineError' && 'code' in e
  );
}
