/**
 * One PCP connection (pgpool's pcp_worker): salt + md5 authentication, then any number of sequential requests
 * (reference §1.1, §1.3, §1.4). Requests are handled one at a time in arrival order; bytes that arrive meanwhile
 * are buffered (and the socket paused past a bound). A bad frame, an unknown letter or a failed authentication is
 * FATAL for this connection only: it is answered and closed, and nothing else is disturbed.
 */
import type { Socket } from 'node:net';
import type { EngineApi } from '../api';
import type { PcpUser } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { Actor } from '../state/types';
import { newSalt, verifyPcpAuth } from './auth';
import {
  authenticationOk,
  commandComplete,
  errorPacket,
  PcpPacketReader,
  PcpRequest,
  saltPacket,
  splitCStrings,
  type PcpErrorFields,
  type PcpPacket,
} from './codec';
import { pcpCommandForType } from './registry';
import { toPcpErrorFields, type PcpRunContext } from './types';

export interface PcpConnectionDeps {
  engine: EngineApi;
  logger: Logger;
  /** Read at each authentication, so a reloaded pcp.conf applies to new logins. */
  users: () => readonly PcpUser[];
  /** authentication_timeout in ms; 0 = wait forever. */
  authenticationTimeoutMs: number;
}

/** Past this many unread bytes the socket is paused until the current request is done. */
const MAX_BUFFERED = 64 * 1024;

export function handlePcpConnection(socket: Socket, deps: PcpConnectionDeps): void {
  const { engine, logger } = deps;
  const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix socket';
  const reader = new PcpPacketReader();
  let salt: Buffer | null = null;
  let user: string | null = null;
  let busy = false;
  let closed = false;

  const authTimer =
    deps.authenticationTimeoutMs > 0
      ? setTimeout(() => {
          if (user === null)
            fatal({ severity: 'FATAL', message: 'authentication timeout', detail: 'no PCP request' });
        }, deps.authenticationTimeoutMs)
      : null;

  const cleanup = (): void => {
    closed = true;
    if (authTimer) clearTimeout(authTimer);
  };
  socket.on('close', cleanup);
  socket.on('error', (err) => {
    logger.debug('PCP connection error', { peer, error: err.message });
    cleanup();
  });

  function send(buffers: Buffer[]): Promise<void> {
    if (closed || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => socket.write(Buffer.concat(buffers), () => resolve()));
  }

  function fatal(fields: PcpErrorFields): void {
    if (closed) return;
    cleanup();
    logger.log(`PCP: ${fields.message}${fields.detail ? ` (${fields.detail})` : ''}`, { peer, user });
    if (!socket.destroyed) socket.end(errorPacket(fields));
  }

  function authenticate(p: PcpPacket): void {
    const [name = '', hash = ''] = splitCStrings(p.payload);
    const s = salt;
    salt = null; // single use
    if (!s) {
      return fatal({
        severity: 'FATAL',
        message: 'authentication failed',
        detail: 'username and/or password does not match',
      });
    }
    if (!verifyPcpAuth(deps.users(), name, hash, s)) {
      return fatal({
        severity: 'FATAL',
        message: `authentication failed for user "${name}"`,
        detail: 'username and/or password does not match',
        file: 'pcp_worker.c',
        line: 517,
      });
    }
    user = name;
    if (authTimer) clearTimeout(authTimer);
    socket.write(authenticationOk());
  }

  async function command(p: PcpPacket, actor: Actor): Promise<void> {
    const cmd = pcpCommandForType(p.type);
    if (!cmd) {
      return fatal({
        severity: 'FATAL',
        message: 'PCP processing request',
        detail: `unknown PCP packet type "${p.type}"`,
      });
    }
    try {
      const args: unknown = cmd.decode(p.payload, p.type);
      const ctx: PcpRunContext = {
        replyWhenQueued: true,
        notice: (message, detail) => {
          if (!socket.destroyed)
            socket.write(
              errorPacket({ severity: 'NOTICE', message, ...(detail !== undefined ? { detail } : {}) }),
            );
        },
      };
      const result: unknown = await cmd.run(engine, args, actor, ctx);
      await send(cmd.encode(result));
      if (cmd.afterReply) {
        logger.log(`PCP: ${cmd.name} requested`, { user: actor.name, peer });
        await cmd.afterReply(engine, args, actor);
      }
    } catch (err) {
      const fields = toPcpErrorFields(err);
      if (fields.severity === 'FATAL') return fatal(fields);
      logger.log(`PCP: ${cmd.name} refused: ${fields.message}${fields.detail ? ` (${fields.detail})` : ''}`, {
        user: actor.name,
        peer,
      });
      await send([errorPacket(fields)]);
    }
  }

  async function handle(p: PcpPacket): Promise<void> {
    if (p.type === PcpRequest.Terminate) {
      cleanup();
      socket.end();
      return;
    }
    if (p.type === PcpRequest.SaltRequest) {
      salt = newSalt();
      socket.write(saltPacket(salt));
      return;
    }
    if (p.type === PcpRequest.Authenticate) return authenticate(p);
    if (user === null) {
      return fatal({
        severity: 'FATAL',
        message: 'authentication failed for new PCP connection',
        detail: 'connection not authorized',
      });
    }
    if (p.type === PcpRequest.NoOp) return;
    if (p.type === PcpRequest.SetParameter) {
      // Only client_min_messages exists in pgpool, and pgwarden sends no notices; accept it for compatibility.
      const [name = ''] = splitCStrings(p.payload);
      if (name === 'client_min_messages') await send([commandComplete('a')]);
      else await send([errorPacket({ severity: 'ERROR', message: `invalid PCP parameter "${name}"` })]);
      return;
    }
    await command(p, { name: user, interface: 'pcp' });
  }

  async function drain(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      while (!closed) {
        const next = reader.next();
        if (next === null) break;
        if ('error' in next) {
          fatal({
            severity: 'FATAL',
            message: 'invalid PCP packet',
            detail: `incorrect packet length (${next.length})`,
          });
          break;
        }
        await handle(next);
      }
    } catch (err) {
      logger.error('PCP connection failed', {
        peer,
        error: err instanceof Error ? err.message : String(err),
      });
      fatal({ severity: 'FATAL', message: 'PCP processing request', detail: 'internal error' });
    } finally {
      busy = false;
      if (!closed && socket.isPaused()) socket.resume();
    }
  }

  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    reader.push(chunk);
    if (reader.buffered > MAX_BUFFERED) socket.pause();
    void drain();
  });
}
