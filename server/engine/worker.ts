/**
 * The engine's worker thread: the proxy's sockets and timers live here, on their own event loop, never sharing it
 * with React rendering in the main thread (ARCHITECTURE.md, "The shape in one paragraph"). The main thread talks to
 * it through server/engine-client.ts, which implements EngineApi over this message protocol:
 *
 *   main -> worker  { type: 'call', id, method, args }          one EngineApi method (not subscribe)
 *   worker -> main  { type: 'result', id, ok, value | error }   errors as plain EngineError-shaped values
 *   worker -> main  { type: 'event', event }                    every engine event, as it happens
 *   worker -> main  { type: 'ready', proxyPort } | { type: 'start-failed', error }
 *
 * Everything crossing is structured-clone data (EngineApi's contract): Dates survive, class instances do not, so
 * errors are flattened to { name, code, message, retryable, details } and re-created on the other side.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { EngineApi } from './api';
import { loadConfig, type LoadConfigOptions } from './config/index';
import type { HbaRule, PcpUser, PgwardenConfig, PoolPasswdEntry } from './config/types';
import { startEngine, type Engine } from './engine';
import { EngineError, isEngineError, type EngineErrorCode } from './errors';
import { createLogger, type LogLevel } from './runtime/logger';
import type { EngineEvent } from './state/types';

/** The EngineApi methods callable across the boundary (subscribe is the event stream instead). */
export const ENGINE_METHODS = [
  'snapshot',
  'events',
  'detachNode',
  'attachNode',
  'promoteNode',
  'setWeight',
  'startRecovery',
  'recoveryRun',
  'recoveryRuns',
  'cancelRecovery',
  'sessions',
  'pools',
  'healthCheckStats',
  'metrics',
  'effectiveConfig',
  'reload',
  'shutdown',
] as const satisfies readonly Exclude<keyof EngineApi, 'subscribe'>[];

export type EngineMethod = (typeof ENGINE_METHODS)[number];

export interface WireError {
  name: string;
  code: EngineErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export type ToWorker = { type: 'call'; id: number; method: EngineMethod; args: unknown[] };

export type FromWorker =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'event'; event: EngineEvent }
  | { type: 'ready'; proxyPort: number }
  | { type: 'start-failed'; error: WireError };

/** What the main thread hands the worker at start: plain data only (functions and sockets cannot cross). */
export interface EngineWorkerData {
  tag: typeof WORKER_TAG;
  config: PgwardenConfig;
  discardStatus: boolean;
  pcpUsers: PcpUser[];
  hba: HbaRule[];
  poolPasswd: Map<string, PoolPasswdEntry>;
  /** Where reload() re-reads the configuration from (null: reload is refused). */
  configPaths: Pick<LoadConfigOptions, 'pgpoolConf' | 'pcpConf' | 'hbaConf' | 'poolKeyFile'> | null;
  logLevel: LogLevel;
}

export const WORKER_TAG = 'pgwarden-engine';

/** Minimal port shape shared by MessagePort and worker_threads.parentPort. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export function toWireError(e: unknown): WireError {
  if (isEngineError(e)) {
    return {
      name: 'EngineError',
      code: e.code,
      message: e.message,
      retryable: e.retryable,
      details: plain(e.details),
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { name: 'EngineError', code: 'internal', message, retryable: false };
}

/** Serves `api` on `port`: answers calls and forwards every event. Returns a function that stops serving. */
export function serveEngineApi(
  port: PortLike,
  api: EngineApi,
  opts: { onShutdown?: () => void } = {},
): () => void {
  const onMessage = (raw: unknown): void => {
    const msg = raw as ToWorker;
    if (msg?.type !== 'call') return;
    const method = msg.method;
    if (!(ENGINE_METHODS as readonly string[]).includes(method)) {
      reply(msg.id, {
        ok: false,
        error: {
          name: 'EngineError',
          code: 'not_implemented',
          message: `unknown method ${String(method)}`,
          retryable: false,
        },
      });
      return;
    }
    const target = api as unknown as Record<EngineMethod, (...args: unknown[]) => Promise<unknown>>;
    Promise.resolve()
      .then(() => target[method](...msg.args))
      .then(
        (value) => {
          reply(msg.id, { ok: true, value });
          if (method === 'shutdown') opts.onShutdown?.();
        },
        (err: unknown) => reply(msg.id, { ok: false, error: toWireError(err) }),
      );
  };
  const reply = (id: number, r: { ok: true; value: unknown } | { ok: false; error: WireError }): void => {
    try {
      port.postMessage({ type: 'result', id, ...r } as FromWorker);
    } catch (err) {
      // A value that structured clone refuses (a function, a socket) is an engine bug: say so instead of hanging.
      port.postMessage({ type: 'result', id, ok: false, error: toWireError(err) } as FromWorker);
    }
  };
  port.on('message', onMessage);
  const unsubscribe = api.subscribe((event) => port.postMessage({ type: 'event', event } as FromWorker));
  return () => {
    unsubscribe();
    port.off('message', onMessage);
  };
}

function plain(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  try {
    structuredClone(details);
    return details;
  } catch {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  }
}

/** Starts the engine from the worker's start-up data (also used in the main thread when there is no dashboard). */
export async function startEngineFromData(data: Omit<EngineWorkerData, 'tag'>): Promise<Engine> {
  const paths = data.configPaths;
  return startEngine({
    config: data.config,
    logger: createLogger({ level: data.logLevel }),
    discardStatus: data.discardStatus,
    pcpUsers: data.pcpUsers,
    hba: data.hba,
    poolPasswd: data.poolPasswd,
    // SIGHUP / pcp_reload_config / the dashboard re-read the same files the process started from.
    reloadConfig: paths
      ? async () => {
          const r = loadConfig(paths);
          if (!r.config) throw new EngineError('config_invalid', r.errors.map((d) => d.format()).join('\n'));
          const hba = paths.hbaConf === null ? undefined : r.hbaRules; // pool_hba.conf and pool_passwd too
          return {
            config: r.config,
            warnings: r.warnings.map((d) => d.format()),
            hba,
            poolPasswd: r.poolPasswd,
          };
        }
      : undefined,
  });
}

async function main(port: PortLike, data: EngineWorkerData): Promise<void> {
  try {
    const engine = await startEngineFromData(data);
    // Once the engine has shut down, stop listening so the thread can end with its event loop.
    const stop = serveEngineApi(port, engine, {
      onShutdown: () => setImmediate(() => (stop(), parentPort?.close())),
    });
    port.postMessage({ type: 'ready', proxyPort: engine.proxyPort } as FromWorker);
  } catch (err) {
    port.postMessage({ type: 'start-failed', error: toWireError(err) } as FromWorker);
    process.exitCode = 1;
  }
}

if (!isMainThread && parentPort && (workerData as Partial<EngineWorkerData> | null)?.tag === WORKER_TAG) {
  void main(parentPort, workerData as EngineWorkerData);
}
