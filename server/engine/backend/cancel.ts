/**
 * Forwards a query cancel to PostgreSQL: a new connection carrying CancelRequest with the backend's real pid and key
 * (protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS). The server answers nothing and closes.
 */
import net from 'node:net';
import { cancelRequest } from '../protocol/frontend-builders';

export function sendCancel(
  host: string,
  port: number,
  pid: number,
  key: number,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve) => {
    const socket = host.startsWith('/')
      ? net.connect({ path: `${host}/.s.PGSQL.${port}` })
      : net.connect({ host, port });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.end(cancelRequest(pid, key)));
    socket.on('error', done);
    socket.on('close', done);
  });
}
