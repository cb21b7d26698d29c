/**
 * `pgwarden recover N`: online recovery (pcp_recovery_node). PCP carries no progress, so this prints a line when
 * the recovery starts and the result when the server answers, which it does only once the recovery has ended.
 */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';

export const recover: RunbookCommand = {
  name: 'recover',
  usage: 'recover N [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'online recovery of node N; returns when the recovery has ended',
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const started = new Date();
    io.err(`recovery of node ${nodeId} started at ${started.toISOString()}; waiting for it to end`);
    await client.recoveryNode(nodeId);
    const seconds = (Date.now() - started.getTime()) / 1000;
    const [n] = await client.nodeInfo(nodeId);
    io.out(`node ${nodeId} recovered in ${seconds.toFixed(1)} s${n ? ` (status ${n.status})` : ''}`);
    return { nodeId, recovered: true, seconds, status: n?.status ?? null };
  },
};
