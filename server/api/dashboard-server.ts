/**
 * The dashboard and control-plane HTTP server: Next.js as a custom server (`next({ dev: false })` behind
 * http.createServer) in the main thread. The engine is not here: it runs in its worker and is reached through the
 * handle on globalThis (./handle.ts).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
  const handle = app.getRequestHandler();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
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
      await app.close();
    },
  };
}
