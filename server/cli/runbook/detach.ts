/**
 * `pgwarden detach N [--graceful]`: failover of a node (pcp_detach_node [-g]); exits 0 once node info shows it
 * down. A graceful detach that gave up waiting for sessions (the server's NOTICE; pcp_detach_node -g would still
 * print "Command Successful") exits 1.
 */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';
import { collectNotices, waitForEffect } from './wait';

export const detach: RunbookCommand = {
  name: 'detach',
  usage: 'detach N [--graceful] [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'detach a node; --graceful waits for its client sessions to end first; returns when it is down',
  flags: ['graceful'],
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const graceful = opts.flags.has('graceful');
    const notices = collectNotices(client, (f) => io.err(`NOTICE:  ${f.message}`));
    await client.detachNode(nodeId, graceful);
    if (notices.length > 0) throw new Error(`node ${nodeId} was not detached: ${notices[0]!.message}`);
    const nodes = await waitForEffect(client, `detach of node ${nodeId}`, (all) =>
      all.some((n) => n.nodeId === nodeId && n.status === 'down'),
    );
    const n = nodes.find((x) => x.nodeId === nodeId);
    io.out(`node ${nodeId} detached${graceful ? ' gracefully' : ''} (status ${n?.status})`);
    return { nodeId, detached: true, graceful, status: n?.status ?? null };
  },
};
