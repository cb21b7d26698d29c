/** `pgwarden nodes`: every backend node, as pcp_node_info without -n. */
import { nodeJson, nodesTable } from './format';
import type { RunbookCommand } from './types';

export const nodes: RunbookCommand = {
  name: 'nodes',
  usage: 'nodes [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'list backend nodes: status, weight, role, replication',
  async run(client, _opts, io) {
    const all = await client.nodeInfo(-1);
    io.out(nodesTable(all));
    return { nodes: all.map(nodeJson) };
  },
};
