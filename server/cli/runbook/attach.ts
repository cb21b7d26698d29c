/** `pgwarden attach N`: failback of a node (pcp_attach_node). */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';

export const attach: RunbookCommand = {
  name: 'attach',
  usage: 'attach N [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'attach a node (failback)',
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    await client.attachNode(nodeId);
    const [n] = await client.nodeInfo(nodeId);
    io.out(`node ${nodeId} attached${n ? ` (status ${n.status})` : ''}`);
    return { nodeId, attached: true, status: n?.status ?? null };
  },
};
