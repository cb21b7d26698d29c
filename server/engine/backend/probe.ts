/**
 * "Is this node really down?" after a backend connection was lost (failover_on_backend_error, reference §3.2).
 *
 * A lost connection alone proves nothing: pg_terminate_backend, idle timeouts and pool eviction all close sockets
 * on a healthy node. So pgwarden opens a fresh connection and sends a StartupMessage: refused, reset or timed out
 * means down; "the database system is shutting down" (57P03) counts as down only with failover_on_backend_shutdown;
 * any authentication request or other answer means the postmaster is alive, and nothing happens.
 */
import net from 'node:net';
import { BackendType } from '../protocol/constants';
import { startupMessage } from '../protocol/frontend-builders';
import { decodeErrorFields } from '../protocol/messages';

export type ProbeResult = 'alive' | 'down' | 'shutting_down';

export function probeNode(
  host: string,
  port: number,
  user: string,
  timeoutMs: number,
): Promise<{ result: ProbeResult; detail: string }> {
  return new Promise((resolve) => {
    const socket = host.startsWith('/')
      ? net.connect({ path: `${host}/.s.PGSQL.${port}` })
      : net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (result: ProbeResult, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ result, detail });
    };
    const timer = setTimeout(() => done('down', `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('connect', () => socket.write(startupMessage({ user, database: 'postgres' })));
    socket.on('error', (e) => done('down', e.message));
    socket.on('close', () => done('down', 'connection closed without an answer'));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1) + 1;
      if (buf[0] !== BackendType.ErrorResponse) return done('alive', 'postmaster answered');
      if (buf.length < len) return;
      const f = decodeErrorFields(buf, 0, len);
      if (f.code === '57P03' && /shutting down/.test(f.message)) return done('shutting_down', f.message);
      if (f.code === '57P03') return done('down', f.message);
      done('alive', f.message);
    });
  });
}

/**
 * probeNode, asked again while the answer is "shutting down" and that does not count as down (failover_on_backend_shutdown
 * off): `pg_ctl stop -m immediate` leaves the postmaster answering 57P03 for a few ms before it exits and refuses.
 */
export async function probeNodeSettled(
  host: string,
  port: number,
  user: string,
  timeoutMs: number,
  opts: { shutdownIsDown: boolean; retries?: number; delayMs?: number },
): Promise<{ result: ProbeResult; detail: string }> {
  let r = await probeNode(host, port, user, timeoutMs);
  for (let i = 0; i < (opts.retries ?? 10) && r.result === 'shutting_down' && !opts.shutdownIsDown; i++) {
    await new Promise((res) => setTimeout(res, opts.delayMs ?? 50));
    r = await probeNode(host, port, user, timeoutMs);
  }
  return r;
}
