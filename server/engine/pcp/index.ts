/**
 * PCP: pgpool-II's administration protocol, served so the unmodified pcp_* tools work against pgwarden.
 *
 *   const pcp = await startPcpServer({ config, engine, logger, users });   // users: pcp.conf (loadPcpConf)
 *   pcp.port; pcp.socketPath; pcp.setUsers(reloaded); await pcp.close();
 *
 * The command registry is exported for the control plane: `pcpCommands.detachNode.run(engine, args, actor)` is
 * exactly what `pcp_detach_node` does.
 */
import type { EngineApi } from '../api';
import type { PcpUser, PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import { handlePcpConnection } from './connection';
import { startPcpListeners } from './server';

export {
  pcpCommands,
  pcpCommandByName,
  pcpCommandForType,
  listPcpCommands,
  type PcpCommandName,
} from './registry';
export { pcpError, toPcpErrorFields, type PcpCommand, type AnyPcpCommand } from './types';
export type { NodeInfoRecord, HealthCheckStatsRecord, ProcessInfoRecord, ConfigItem } from './records';

export type PcpServerConfig = Pick<
  PgwardenConfig,
  'pcp_listen_addresses' | 'pcp_port' | 'pcp_socket_dir' | 'authentication_timeout'
>;

export interface PcpServerOptions {
  config: PcpServerConfig;
  engine: EngineApi;
  logger: Logger;
  /** pcp.conf entries. */
  users: PcpUser[];
}

export interface PcpServerHandle {
  /** The TCP port bound (pcp_port, or the one picked when pcp_port is 0). */
  port: number;
  /** `<pcp_socket_dir>/.s.PGSQL.<port>`, or null when pcp_socket_dir is ''. */
  socketPath: string | null;
  /** Replace the pcp.conf users (after a reload); applies to the next authentication. */
  setUsers(users: PcpUser[]): void;
  /** Stop listening and close every PCP connection. */
  close(): Promise<void>;
}

export async function startPcpServer(opts: PcpServerOptions): Promise<PcpServerHandle> {
  const logger = opts.logger.child('pcp');
  let users: readonly PcpUser[] = [...opts.users];
  if (users.length === 0) logger.warn('pcp.conf has no users: every PCP login will fail');
  const listeners = await startPcpListeners({
    listenAddresses: opts.config.pcp_listen_addresses,
    port: opts.config.pcp_port,
    socketDir: opts.config.pcp_socket_dir,
    logger,
    onConnection: (socket) =>
      handlePcpConnection(socket, {
        engine: opts.engine,
        logger,
        users: () => users,
        authenticationTimeoutMs: Math.max(0, opts.config.authentication_timeout) * 1000,
      }),
  });
  return {
    port: listeners.port,
    socketPath: listeners.socketPath,
    setUsers(next) {
      users = [...next];
    },
    close: () => listeners.close(),
  };
}
