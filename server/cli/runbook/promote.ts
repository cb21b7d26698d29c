/**
 * `pgwarden promote N [--switchover] [--graceful]`: pcp_promote_node [-s] [-g]; exits 0 once node info shows N as
 * the primary (with --switchover the old primary is detached and N promoted in PostgreSQL by failover_command).
 */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';
import { collectNotices, waitForEffect } from './wait';

export const promote: RunbookCommand = {
  name: 'promote',
  usage: 'promote N [--switchover] [--graceful] [-h host] [-p port] [-U user] [-w] [--json]',
  summary:
    'make node N the primary; --switchover detaches the current primary and promotes N in PostgreSQL; ' +
    '--graceful waits for client sessions to end first',
  flags: ['switchover', 'graceful'],
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const switchover = opts.flags.has('switchover');
    const graceful = opts.flags.has('graceful');
    const notices = collectNotices(client, (f) => io.err(`NOTICE:  ${f.message}`));
    await client.promoteNode(nodeId, { switchover, graceful });
    if (notices.length > 0) throw new Error(`node ${nodeId} was not promoted: ${notices[0]!.message}`);
    const all = await waitForEffect(client, `promotion of node ${nodeId}`, (nodes) =>
      nodes.some((n) => n.nodeId === nodeId && n.role === 'primary'),
    );
    const old = all.filter((n) => n.nodeId !== nodeId && n.status === 'down').map((n) => n.nodeId);
    io.out(
      `node ${nodeId} is the primary${switchover ? ' (switchover)' : ''}; down: ${old.join(', ') || 'none'}`,
    );
    return { nodeId, switchover, graceful, primaryNodeId: nodeId, downNodeIds: old };
  },
};
