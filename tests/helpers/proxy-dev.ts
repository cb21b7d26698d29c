// Manual harness: `node --import tsx tests/helpers/proxy-dev.ts [nodes]` starts a cluster and a proxy and prints their
// ports until killed (for psql/pgbench experiments and profiling).
import { createCluster } from './pg-cluster';
import { startTestProxy } from './proxy-harness';

const nodes = Number(process.argv[2] ?? '1');
const cluster = await createCluster({ mode: 'streaming', nodes });
const tp = await startTestProxy(cluster, { num_init_children: 64 });
console.log(
  JSON.stringify({ proxy: tp.port, direct: cluster.nodes.map((n) => n.port), socketDir: tp.socketDir }),
);
const stop = async (): Promise<void> => {
  await tp.stop();
  await cluster.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
