/**
 * Client listeners: TCP on listen_addresses:port ('*' = every address, 'localhost', or a comma list) and the Unix
 * socket `<socket_dir>/.s.PGSQL.<port>` (none when socket_dir is ''), as pgpool and PostgreSQL name it.
 * port 0 picks a free port (tests); every listener then shares the port the first one got.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Listeners {
  port: number;
  servers: net.Server[];
  socketPath: string | null;
  close(): Promise<void>;
}

function listen(server: net.Server, opts: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function parseListenAddresses(v: string): (string | undefined)[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.includes('*')) return [undefined];
  return items.map((a) => (a === 'localhost' ? '127.0.0.1' : a));
}

export async function startListeners(
  cfg: { listen_addresses: string; port: number; socket_dir: string; backlog: number },
  onConnection: (socket: net.Socket) => void,
): Promise<Listeners> {
  const servers: net.Server[] = [];
  let port = cfg.port;
  const make = (): net.Server => {
    const s = net.createServer({ noDelay: true, pauseOnConnect: false }, onConnection);
    s.on('error', () => undefined);
    servers.push(s);
    return s;
  };
  try {
    for (const host of parseListenAddresses(cfg.listen_addresses)) {
      const s = make();
      await listen(s, { host, port, backlog: cfg.backlog });
      if (port === 0) port = (s.address() as net.AddressInfo).port;
    }
    let socketPath: string | null = null;
    if (cfg.socket_dir !== '') {
      socketPath = path.join(cfg.socket_dir, `.s.PGSQL.${port}`);
      // A stale socket file from a crashed run blocks bind(); PostgreSQL removes it the same way (after its lock).
      if (existsSync(socketPath)) unlinkSync(socketPath);
      await listen(make(), { path: socketPath, backlog: cfg.backlog });
      chmodSync(socketPath, 0o777);
    }
    const sp = socketPath;
    return {
      port,
      servers,
      socketPath: sp,
      close: async () => {
        // Stop accepting only: server.close()'s callback waits for every accepted connection to end, which is the
        // shutdown mode's business (smart waits for sessions, fast terminates them), not the listener's.
        for (const s of servers) s.close();
        if (sp && existsSync(sp)) {
          try {
            unlinkSync(sp);
          } catch {
            /* already gone */
          }
        }
      },
    };
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
}
