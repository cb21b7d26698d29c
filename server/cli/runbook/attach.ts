/** `pgwarden attach N`: failback of a node (pcp_attach_node); exits 0 once node info shows it waiting or up. */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';
import { waitForEffect } from './wait';

export const attach: RunbookCommand = {
  name: 'attach',
  usage: 'attach N [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'attach a node (failback); returns when it is waiting or up',
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    await client.attachNode(nodeId);
    const nodes = await waitForEffect(client, `attach of node ${nodeId}`, (all) =>
      all.some((n) => n.nodeId === nodeId && (n.status === 'waiting' || n.status === 'up')),
    );
    const n = nodes.find((x) => x.nodeId === nodeId);
    io.out(`node ${nodeId} attached (status ${n?.status})`);
    return { nodeId, attached: true, status: n?.status ?? null };
  },
};
