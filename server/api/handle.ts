/**
 * The process-wide handle through which Next route code reaches the engine façade and the services. Next compiles
 * routes as separate module graphs, so a module-level singleton would not be shared with server/main.ts; a
 * `Symbol.for` key on globalThis is (ARCHITECTURE.md rule 1).
 */
import type { EngineApi } from '../engine/api';
import { EngineError } from '../engine/errors';
import type { ControlPlane } from '../services/control-plane';

export interface PgwardenHandle {
  engine: EngineApi;
  services: ControlPlane;
  /** The PostgreSQL-facing proxy port, for display. */
  proxyPort: number;
}

const KEY = Symbol.for('pgwarden.handle');

type WithHandle = typeof globalThis & { [KEY]?: PgwardenHandle };

export function setHandle(handle: PgwardenHandle | undefined): void {
  (globalThis as WithHandle)[KEY] = handle;
}

export function getHandle(): PgwardenHandle {
  const h = (globalThis as WithHandle)[KEY];
  if (!h)
    throw new EngineError(
      'backend_unavailable',
      'pgwarden is not running in this process (start it with server/main.ts)',
    );
  return h;
}
