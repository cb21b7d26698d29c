/** `pgwarden node-info N`: one node, as `pcp_node_info -v -n N`. */
import { formatTimestamp } from '../../engine/pcp/codec';
import { nodeJson, nodeStatusName } from './format';
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';

export const nodeInfo: RunbookCommand = {
  name: 'node-info',
  usage: 'node-info N [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'details of one backend node',
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const [n] = await client.nodeInfo(nodeIdArg(opts));
    if (!n) throw new Error('the server returned no node record');
    const rows: Array<[string, string]> = [
      ['Node', String(n.nodeId)],
      ['Hostname', n.hostname],
      ['Port', String(n.port)],
      ['Status', nodeStatusName(n)],
      ['Backend status', n.pgStatus],
      ['Weight', n.weight.toFixed(6)],
      ['Role', n.role],
      ['Backend role', n.pgRole],
      ['Replication delay', String(n.replicationDelay)],
      ['Replication state', n.replicationState || 'none'],
      ['Replication sync state', n.replicationSyncState || 'none'],
      ['Last status change', formatTimestamp(n.lastStatusChange)],
    ];
    for (const [k, v] of rows) io.out(`${k.padEnd(23)}: ${v}`);
    return { node: nodeJson(n) };
  },
};
