/**
 * Session set-up after the StartupMessage: client authentication (auth/client-auth.ts), the backend connections the
 * session starts with (cached ones first, reference §10), and the start-up answer to the client.
 *
 * Which nodes at start: pgpool connects to every valid node. pgwarden connects to what the session will use: the
 * main node in raw mode; the primary and the load-balance node in streaming/logical mode; every valid node in
 * native replication (statements fan out). Other nodes are connected lazily with the same credentials.
 */
import type { Socket } from 'node:net';
import { BackendConnection, BackendConnectError } from '../backend/connection';
import type { AuthRelay } from '../backend/auth';
import type { PoolPasswdEntry } from '../config/types';
import {
  authenticationOk,
  backendKeyData,
  parameterStatus,
  readyForQuery,
} from '../protocol/backend-builders';
import { AuthCode, FrontendType } from '../protocol/constants';
import { ProtocolError } from '../protocol/frame-scanner';
import { poolKey } from '../pool/key';
import type { CachedConnection, PooledAuth } from '../pool/pool';
import { authenticateClient, verifyLikeBackend } from './auth/client-auth';
import { ClientSession } from './session';
import type { SocketReader } from './socket-reader';
import type { ProxyContext } from './startup';

export interface ClientStartup {
  user: string;
  database: string;
  params: Map<string, string>;
  address: string | null;
  ssl: boolean;
  certVerified: boolean;
}

export interface OpenedBackends {
  start(socket: Socket, slot: number, leftover: Buffer): void;
}

function startNodes(ctx: ProxyContext, lb: number): number[] {
  const s = ctx.state;
  if (s.mode === 'raw') return [s.mainNodeId];
  if (s.isStreaming()) {
    const p = s.effectivePrimaryId;
    return lb >= 0 && lb !== p && s.isValid(lb) ? [p, lb] : [p];
  }
  const main = s.mainNodeId;
  return [main, ...s.validNodeIds().filter((n) => n !== main)];
}

export async function openBackends(
  reader: SocketReader,
  ctx: ProxyContext,
  id: ClientStartup,
): Promise<OpenedBackends> {
  const outcome = await authenticateClient(
    reader,
    { user: id.user, database: id.database, address: id.address, ssl: id.ssl, certVerified: id.certVerified },
    { enablePoolHba: ctx.config.enable_pool_hba, hba: ctx.hba, poolPasswd: ctx.poolPasswd },
  );
  const creds = { ...outcome.creds };
  const entry: PoolPasswdEntry | undefined = ctx.poolPasswd?.get(id.user);
  const startupParams = new Map([...id.params].filter(([k]) => k !== 'user' && k !== 'database'));
  const key = poolKey(id.user, id.database, startupParams);
  await ctx.primarySettled?.(); // a failover of the primary is choosing the new one (failover #8)
  const applicationName = id.params.get('application_name') ?? '';
  let lb = ctx.router.chooseLoadBalanceNode({ database: id.database, applicationName });
  const nodes = startNodes(ctx, lb);
  if (!nodes.includes(lb)) lb = nodes[0]!;
  let pooledAuth: PooledAuth = { method: 'trust', password: creds.password };
  const deferred = outcome.state === 'deferred';

  const relay: AuthRelay = async (request, code) => {
    reader.socket.write(request);
    if (code === AuthCode.SASLFinal) return null;
    const msg = await reader.readMessage();
    if (msg[0] !== FrontendType.Password)
      throw new ProtocolError(`expected password response, got message type ${msg[0]}`);
    if (code === AuthCode.CleartextPassword) {
      const nul = msg.indexOf(0, 5);
      creds.password = msg.toString('utf8', 5, nul < 0 ? msg.length : nul);
    }
    return msg;
  };

  const timeoutOf = (nodeId: number): number =>
    ctx.config.backends[nodeId]?.health_check.connect_timeout || 10_000;

  const connect = (nodeId: number, withRelay: boolean): Promise<BackendConnection> => {
    const node = ctx.state.node(nodeId);
    if (!node) throw new BackendConnectError(`node ${nodeId} does not exist`, 'socket');
    return BackendConnection.connect({
      nodeId,
      host: node.hostname,
      port: node.port,
      user: id.user,
      database: id.database,
      params: startupParams,
      creds,
      relay: withRelay ? relay : null,
      timeoutMs: timeoutOf(nodeId),
    });
  };

  // Main node: the one whose authentication request decides when enable_pool_hba is off.
  const main = nodes[0]!;
  let mainConn: BackendConnection;
  const acceptCached = (c: CachedConnection): boolean =>
    !deferred || c.auth.method === 'trust' || c.auth.password !== null || entry !== undefined;
  const cached = ctx.pool.take(key, main, acceptCached);
  if (cached) {
    if (deferred) {
      const known = cached.auth.password;
      const e: PoolPasswdEntry | undefined =
        entry ?? (known !== null ? { kind: 'plain', password: known } : undefined);
      try {
        await verifyLikeBackend(reader, id.user, cached.auth.method, e, known);
      } catch (err) {
        void ctx.pool.release(key, cached.conn, cached.auth, cached.uses);
        throw err;
      }
      if (known !== null) creds.password = known;
    }
    pooledAuth = cached.auth;
    mainConn = cached.conn;
  } else {
    try {
      mainConn = await connect(main, deferred);
    } catch (e) {
      if (e instanceof BackendConnectError && (e.kind === 'socket' || e.kind === 'timeout'))
        ctx.backendLost(main, { fatal: null, socketError: e.message });
      throw e;
    }
    if (deferred && !mainConn.authRelayed) {
      try {
        await verifyLikeBackend(reader, id.user, mainConn.authMethod, entry, null);
      } catch (err) {
        mainConn.close();
        throw err;
      }
    }
    pooledAuth = { method: mainConn.authMethod, password: creds.password };
  }

  const connectNode = async (nodeId: number): Promise<BackendConnection> => {
    const c = ctx.pool.take(key, nodeId);
    if (c) return c.conn;
    return connect(nodeId, false);
  };
  const others = await Promise.all(
    nodes.slice(1).map((n) =>
      connectNode(n).catch((e: unknown) => {
        // A node other than the main one failing at start does not fail the session: reads stay on the main node.
        ctx.logger.warn('cannot connect to node at session start', { node: n, error: (e as Error).message });
        if (e instanceof BackendConnectError && (e.kind === 'socket' || e.kind === 'timeout'))
          ctx.backendLost(n, { fatal: null, socketError: e.message });
        return null;
      }),
    ),
  );
  const conns = [mainConn, ...others.filter((c): c is BackendConnection => c !== null)];
  for (const c of conns) ctx.backendConnected(c.nodeId);
  if (!conns.some((c) => c.nodeId === lb)) lb = main;

  return {
    start(socket, slot, leftover) {
      let session: ClientSession | null = null;
      const keyData = ctx.cancels.register({ cancel: () => session?.cancel() });
      const hello: Buffer[] = [authenticationOk()];
      for (const [k, v] of mainConn.parameters) hello.push(parameterStatus(k, v));
      hello.push(backendKeyData(keyData.pid, keyData.key), readyForQuery('I'));
      socket.write(Buffer.concat(hello));
      session = new ClientSession(
        socket,
        {
          id: ctx.nextSessionId(),
          slot,
          cancelPid: keyData.pid,
          cancelKey: keyData.key,
          user: id.user,
          database: id.database,
          params: id.params,
          clientAddress: id.address ?? '[local]',
          poolKey: key,
          pooledAuth,
          loadBalanceNode: lb,
          backends: conns,
          connectNode,
          leftover,
        },
        ctx,
      );
      ctx.sessions.set(session.id, session);
      session.start();
    },
  };
}
