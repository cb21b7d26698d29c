/**
 * The dashboard and control-plane HTTP server: Next.js as a custom server (`next({ dev: false })` behind
 * http.createServer) in the main thread. The engine is not here: it runs in its worker and is reached through the
 * handle on globalThis (./handle.ts). REST (/api/v1), the health endpoints and /metrics are answered before Next
 * (./http/control-routes.ts), and keep working when the UI is not built or Next fails to load (the UI then
 * answers 503 saying why).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../engine/errors';
import type { Logger } from '../engine/runtime/logger';

export interface DashboardServer {
  url: string;
  port: number;
  /** Stops accepting; `force` also drops open connections (SSE streams, keep-alive). */
  close(force: boolean): Promise<void>;
}

/** The project root (next.config.js, .next/): above server/api/ from source, above dist/ from the bundle. */
export function findAppDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'next.config.js'))) return dir;
    dir = dirname(dir);
  }
  throw new EngineError('internal', `next.config.js not found above ${from}`);
}

export async function startDashboardServer(opts: {
  host: string;
  port: number;
  logger: Logger;
  dir?: string;
}): Promise<DashboardServer> {
  // Loaded here, not at module load: the engine-only process (--no-dashboard) never loads tRPC and zod.
  const { handleControlRequest } = await import('./http/control-routes');
  const next = await loadNext(opts).catch((err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    opts.logger.error(`dashboard UI not available (REST, health and metrics still served): ${why}`);
    return { app: null, handle: null, why };
  });

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleControlRequest(req, res)) return;
    if (next.handle) return next.handle(req, res);
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`pgwarden dashboard UI unavailable: ${next.why}\n`);
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      opts.logger.error(`dashboard request ${req.method ?? ''} ${req.url ?? ''} failed`, {
        error: String(err),
      });
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  // pgpool-style addresses: '*' means every interface; Node wants '::' (dual stack) for that.
  const listenHost = opts.host.trim() === '*' ? '::' : opts.host.trim();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = listenHost === '::' ? 'localhost' : listenHost;
  const hostForUrl = shown.includes(':') ? `[${shown}]` : shown;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    async close(force) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      if (force) server.closeAllConnections();
      else server.closeIdleConnections();
      // SSE streams never end on their own: give open requests a moment, then drop them.
      const timer = setTimeout(() => server.closeAllConnections(), force ? 0 : 3000);
      await closed;
      clearTimeout(timer);
      await next.app?.close();
    },
  };
}

async function loadNext(opts: { host: string; port: number; dir?: string }) {
  const dir = opts.dir ?? findAppDir();
  if (!existsSync(join(dir, '.next', 'BUILD_ID'))) {
    throw new EngineError(
      'config_invalid',
      `the dashboard is not built (no ${join(dir, '.next')}): run \`npm run build\``,
    );
  }
  // Next picks its production behaviour from NODE_ENV; set it before loading Next.
  (process.env as Record<string, string>).NODE_ENV ??= 'production';
  const { default: next } = await import('next');
  const app = next({
    dev: false,
    dir,
    hostname: opts.host,
    port: opts.port,
    customServer: true,
    quiet: true,
  });
  await app.prepare();
  return { app, handle: app.getRequestHandler(), why: '' };
}
