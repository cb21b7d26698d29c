/**
 * `pgwarden recover N`: online recovery (pcp_recovery_node). The server answers only once the recovery has ended;
 * meanwhile it sends each stage's start and end as a NOTICE, printed here as it comes (stderr; --json lists them).
 */
import { nodeIdArg } from './options';
import type { RunbookCommand } from './types';
import { collectNotices } from './wait';

export const recover: RunbookCommand = {
  name: 'recover',
  usage: 'recover N [-h host] [-p port] [-U user] [-w] [--json]',
  summary:
    'online recovery of node N, printing each stage as it happens; returns when the recovery has ended',
  check: (o) => void nodeIdArg(o),
  async run(client, opts, io) {
    const nodeId = nodeIdArg(opts);
    const started = new Date();
    io.err(`recovery of node ${nodeId} started at ${started.toISOString()}; waiting for it to end`);
    const stages: Array<{ stage: string; phase: string; outcome: string; message: string; at: string }> = [];
    collectNotices(client, (f) => {
      const d = Object.fromEntries(
        (f.detail ?? '').split(' ').map((kv) => kv.split('=') as [string, string | undefined]),
      );
      stages.push({
        stage: d.stage ?? '',
        phase: d.phase ?? '',
        outcome: d.outcome ?? '',
        message: f.message,
        at: new Date().toISOString(),
      });
      io.err(f.message);
    });
    await client.recoveryNode(nodeId);
    const seconds = (Date.now() - started.getTime()) / 1000;
    const [n] = await client.nodeInfo(nodeId);
    io.out(`node ${nodeId} recovered in ${seconds.toFixed(1)} s${n ? ` (status ${n.status})` : ''}`);
    return { nodeId, recovered: true, seconds, status: n?.status ?? null, stages };
  },
};
