/**
 * PCP listeners (reference §1.1): TCP on every address of pcp_listen_addresses (`*` = all, `localhost`, a comma
 * list, `''` = no TCP) at pcp_port, and the Unix socket `<pcp_socket_dir>/.s.PGSQL.<pcp_port>` (pgpool always
 * creates it; pgwarden skips it only when pcp_socket_dir is ''). pcp_port 0 picks a free port (tests); the socket
 * is then named after the port actually bound.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../runtime/logger';

export interface PcpListenOptions {
  listenAddresses: string;
  port: number;
  socketDir: string;
  logger: Logger;
  onConnection(socket: Socket): void;
}

export interface PcpListeners {
  port: number;
  socketPath: string | null;
  close(): Promise<void>;
}

/** pcp_listen_addresses -> hosts to bind. `*` binds the wildcard (dual-stack); `localhost` both loopbacks. */
export function resolveListenHosts(addresses: string): string[] {
  const out: string[] = [];
  for (const raw of addresses.split(',')) {
    const a = raw.trim();
    if (a === '') continue;
    if (a === '*') return ['*'];
    if (a === 'localhost') out.push('127.0.0.1', '::1');
    else out.push(a);
  }
  return [...new Set(out)];
}

function listen(server: Server, target: { host?: string; port?: number; path?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (target.path !== undefined) server.listen(target.path, done);
    else if (target.host === undefined) server.listen(target.port, done);
    else server.listen(target.port, target.host, done);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A socket file left by a crashed process is removed; a live one is an error (another server owns it). */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`PCP socket ${path} is in use by another server`);
  unlinkSync(path);
}

export async function startPcpListeners(opts: PcpListenOptions): Promise<PcpListeners> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const make = (): Server => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      opts.onConnection(socket);
    });
    servers.push(s);
    return s;
  };

  let port = opts.port;
  let socketPath: string | null = null;
  try {
    const hosts = resolveListenHosts(opts.listenAddresses);
    let bound = 0;
    for (const host of hosts) {
      const s = make();
      try {
        await listen(s, host === '*' ? { port } : { host, port });
      } catch (err) {
        servers.pop();
        // `localhost` includes ::1, which a host without IPv6 cannot bind: skip it if another address bound.
        const code = (err as NodeJS.ErrnoException).code;
        // With pcp_port 0 the port was picked on the first address and may be taken on ::1: skip ::1 then too.
        const skippable =
          code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || (opts.port === 0 && code === 'EADDRINUSE');
        if (host === '::1' && skippable && bound > 0) continue;
        throw new Error(`could not listen for PCP on ${host}:${port}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      bound++;
      const addr = s.address();
      if (port === 0 && addr && typeof addr === 'object') port = addr.port;
      opts.logger.log(`PCP listening on ${host}:${port}`);
    }
    if (opts.socketDir !== '') {
      if (port === 0)
        throw new Error('pcp_port 0 needs a TCP listener to pick the port the socket is named after');
      const path = join(opts.socketDir, `.s.PGSQL.${port}`);
      await removeStaleSocket(path);
      await listen(make(), { path });
      socketPath = path;
      opts.logger.log(`PCP listening on ${path}`);
    }
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    port,
    socketPath,
    close() {
      closing ??= (async () => {
        const closed = Promise.all(servers.map(closeServer));
        // A connection waiting on a long command (recovery) would hold close() forever: end them all now.
        for (const s of sockets) s.destroy();
        await closed;
        // net.Server (libuv) unlinks its socket file on close; a crash leaves it for removeStaleSocket.
      })();
      return closing;
    },
  };
}
