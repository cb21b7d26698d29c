/**
 * The engine façade in the main thread: implements EngineApi by messaging the engine's worker thread
 * (server/engine/worker.ts has the protocol). Calls carry ids; errors come back as EngineError-shaped values
 * (name 'EngineError', code, message, retryable, details) so isEngineError() and the code -> status table work on
 * them; events are fanned out to subscribe() listeners here, one message per event whatever the listener count.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineApi, ShutdownMode } from './engine/api';
import { EngineError } from './engine/errors';
import type { EngineEvent } from './engine/state/types';
import {
  WORKER_TAG,
  type EngineMethod,
  type EngineWorkerData,
  type FromWorker,
  type PortLike,
  type ToWorker,
  type WireError,
} from './engine/worker';

export interface EngineClient extends EngineApi {
  /** Stops listening on the port and fails calls in flight (the worker side is not told). */
  close(reason?: string): void;
}

export function fromWireError(e: WireError): EngineError {
  return new EngineError(e.code, e.message, { retryable: e.retryable, details: e.details });
}

/** EngineApi over any MessagePort-like endpoint (a Worker, or one end of a MessageChannel in tests). */
export function createEngineClient(port: PortLike): EngineClient {
  let nextId = 1;
  let closed: string | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(e: EngineEvent) => void>();

  const onMessage = (raw: unknown): void => {
    const msg = raw as FromWorker;
    if (msg.type === 'event') {
      for (const l of listeners) {
        try {
          l(msg.event);
        } catch {
          // A listener's failure is its own: the stream goes on for the others.
        }
      }
    } else if (msg.type === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(fromWireError(msg.error));
    }
  };
  port.on('message', onMessage);

  const call = <T>(method: EngineMethod, ...args: unknown[]): Promise<T> => {
    if (closed !== null)
      return Promise.reject(new EngineError('backend_unavailable', `engine is not running: ${closed}`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        port.postMessage({ type: 'call', id, method, args } satisfies ToWorker);
      } catch (err) {
        pending.delete(id);
        reject(new EngineError('internal', `cannot send ${method} to the engine: ${String(err)}`));
      }
    });
  };

  return {
    snapshot: () => call('snapshot'),
    events: (opts) => call('events', opts),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    detachNode: (nodeId, req) => call('detachNode', nodeId, req),
    attachNode: (nodeId, req) => call('attachNode', nodeId, req),
    promoteNode: (nodeId, req) => call('promoteNode', nodeId, req),
    setWeight: (nodeId, weight, req) => call('setWeight', nodeId, weight, req),
    startRecovery: (nodeId, req) => call('startRecovery', nodeId, req),
    recoveryRun: (runId) => call('recoveryRun', runId),
    recoveryRuns: () => call('recoveryRuns'),
    cancelRecovery: (runId, req) => call('cancelRecovery', runId, req),
    sessions: () => call('sessions'),
    pools: () => call('pools'),
    healthCheckStats: () => call('healthCheckStats'),
    metrics: () => call('metrics'),
    effectiveConfig: () => call('effectiveConfig'),
    reload: (req) => call('reload', req),
    shutdown: (mode) => call('shutdown', mode),
    close(reason = 'closed') {
      if (closed !== null) return;
      closed = reason;
      port.off('message', onMessage);
      listeners.clear();
      for (const p of pending.values())
        p.reject(new EngineError('backend_unavailable', `engine is not running: ${reason}`));
      pending.clear();
    },
  };
}

export interface EngineWorkerHandle {
  api: EngineClient;
  proxyPort: number;
  /** Resolves when the worker thread has exited (with its exit code). */
  exited: Promise<number>;
  /** Asks the engine to shut down in `mode`, then waits for the thread; terminates it after timeoutMs. */
  stop(mode: ShutdownMode, timeoutMs?: number): Promise<void>;
}

/**
 * Where the worker's code is: server/engine/worker.ts next to this file when running from source (tsx, vitest), or
 * dist/engine/worker.js next to the esbuild bundle of the CLI (dist/cli.js) after `npm run build`.
 */
export function resolveWorkerEntry(from: string = import.meta.url): URL {
  const fromSource = fromURLPath(from).endsWith('.ts');
  const candidates = fromSource
    ? ['./engine/worker.ts']
    : ['./engine/worker.js', './engine/worker.mjs', '../engine/worker.js', './worker.js'];
  for (const c of candidates) {
    const url = new URL(c, from);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new EngineError(
    'internal',
    `engine worker not found next to ${fromURLPath(from)} (tried ${candidates.join(', ')})`,
  );
}

function fromURLPath(u: string): string {
  return u.startsWith('file:') ? fileURLToPath(u) : u;
}

/**
 * From source, the worker is TypeScript. Node 20 does not apply `--import tsx` to a worker's entry module (verified:
 * "Unknown file extension .ts" even with the flag in execArgv), so the worker starts from a tiny ESM bootstrap that
 * registers tsx's loader in the worker thread and then imports the entry. The bundle (dist/) needs none of this.
 */
function workerSpec(entry: URL): URL {
  if (!entry.pathname.endsWith('.ts')) return entry;
  const tsxApi = pathToFileURL(
    join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  );
  const boot = `const { register } = await import(${JSON.stringify(tsxApi.href)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new URL('data:text/javascript,' + encodeURIComponent(boot));
}

/** Starts the engine in a worker thread and resolves once it listens (or rejects with the start-up error). */
export async function startEngineWorker(
  data: Omit<EngineWorkerData, 'tag'>,
  opts: { entry?: URL; startTimeoutMs?: number; onError?: (err: Error) => void } = {},
): Promise<EngineWorkerHandle> {
  const entry = opts.entry ?? resolveWorkerEntry();
  const worker = new Worker(workerSpec(entry), {
    workerData: { ...data, tag: WORKER_TAG } satisfies EngineWorkerData,
    name: 'pgwarden-engine',
  });
  const api = createEngineClient(worker);
  // After start-up, an uncaught exception in the engine thread is reported here, then 'exit' follows (and the
  // process shuts down in main.ts). Without this listener the main thread would crash on the 'error' event.
  let started = false;
  worker.on('error', (err) => {
    if (started)
      (
        opts.onError ??
        ((e: Error) => process.stderr.write(`FATAL:  engine thread: ${e.stack ?? e.message}\n`))
      )(err);
  });
  const exited = new Promise<number>((resolve) => {
    worker.once('exit', (code) => {
      api.close(`engine thread exited with code ${code}`);
      resolve(code);
    });
  });

  const proxyPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new EngineError('timeout', `engine did not start within ${opts.startTimeoutMs ?? 60_000} ms`));
    }, opts.startTimeoutMs ?? 60_000);
    const onMessage = (raw: unknown): void => {
      const msg = raw as FromWorker;
      if (msg.type !== 'ready' && msg.type !== 'start-failed') return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      if (msg.type === 'ready') {
        started = true;
        resolve(msg.proxyPort);
      } else {
        void worker.terminate();
        reject(fromWireError(msg.error));
      }
    };
    const onError = (err: Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      reject(new EngineError('internal', `engine thread failed at start: ${err.message}`, { cause: err }));
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
  });

  return {
    api,
    proxyPort,
    exited,
    async stop(mode, timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
      try {
        await Promise.race([api.shutdown(mode).catch(() => undefined), deadline]);
        const outcome = await Promise.race([exited, deadline]);
        if (outcome === 'timeout') await worker.terminate();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
