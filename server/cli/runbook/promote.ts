/** `pgwarden promote N [--switchover]`: pcp_promote_node [-s]. */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';

export const promote: RunbookCommand = {
  name: 'promote',
  usage: 'promote N [--switchover] [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'make node N the primary; --switchover detaches the current primary and promotes N in PostgreSQL',
  flags: ['switchover'],
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const switchover = opts.flags.has('switchover');
    await client.promoteNode(nodeId, { switchover });
    const all = await client.nodeInfo(-1);
    const primary = all.find((n) => n.role === 'primary')?.nodeId ?? -1;
    io.out(`node ${nodeId} promoted${switchover ? ' (switchover)' : ''}; primary is now node ${primary}`);
    return { nodeId, switchover, primaryNodeId: primary };
  },
};
