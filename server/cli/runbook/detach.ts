/** `pgwarden detach N [--graceful]`: failover of a node (pcp_detach_node [-g]). */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';

export const detach: RunbookCommand = {
  name: 'detach',
  usage: 'detach N [--graceful] [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'detach a node; --graceful waits for its client sessions to end first',
  flags: ['graceful'],
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const graceful = opts.flags.has('graceful');
    await client.detachNode(nodeId, graceful);
    const [n] = await client.nodeInfo(nodeId);
    io.out(`node ${nodeId} detached${graceful ? ' gracefully' : ''}${n ? ` (status ${n.status})` : ''}`);
    return { nodeId, detached: true, graceful, status: n?.status ?? null };
  },
};
