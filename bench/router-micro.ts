// Router CPU per statement: classify + route of pgbench -S's statement (a different aid each time, so the
// literal-insensitive cache key is computed on every call, as in a real run) for a streaming (or other mode) session.
// No PostgreSQL, no sockets: the router alone, in-process.
//
//   node --import tsx bench/router-micro.ts [streaming_replication|native_replication|raw] [--iterations 300000]
//
// tsx's transform wraps named closures (__name) and inflates the figure: for numbers to compare, bundle it first:
//   npx esbuild bench/router-micro.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=node_modules/.cache/router-micro.mjs && node node_modules/.cache/router-micro.mjs
import { parseArgs } from 'node:util';

import type { PgwardenConfig } from '../server/engine/config/types';
import { createRouter } from '../server/engine/router/router';
import { createSessionTracking } from '../server/engine/router/session-tracking';
import { testConfig, testState } from '../server/engine/router/test-config';
import type { SessionRouteContext, StatementClass } from '../server/engine/router/types';
import { silentLogger } from '../server/engine/runtime/logger';

const { values: opt, positionals } = parseArgs({
  options: { iterations: { type: 'string', default: '300000' } },
  allowPositionals: true,
});
const mode = (positionals[0] ?? 'streaming_replication') as PgwardenConfig['backend_clustering_mode'];
const iterations = Number(opt.iterations);

const config = testConfig({ backend_clustering_mode: mode });
const state = testState(config);
const router = createRouter({ config, state, logger: silentLogger });
await router.ready;
const tracking = createSessionTracking();
const ctx: SessionRouteContext = {
  database: 'bench',
  user: 'postgres',
  applicationName: 'pgbench',
  inTransaction: false,
  txWrote: false,
  sessionWrote: false,
  txFailed: false,
  serializable: false,
  loadBalanceNode: 1,
  tracking,
};
const cctx = { database: 'bench', tracking };
const sqls = Array.from(
  { length: 1000 },
  // Decoded from bytes like the session's messages: flat strings (a template literal's result is a rope).
  (_, i) =>
    Buffer.from(`SELECT abalance FROM pgbench_accounts WHERE aid = ${((i * 7919) % 100000) + 1};`).toString(),
);

let sink = 0;
function run(n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const sql = sqls[i % sqls.length]!;
    const cls = router.classify(sql, cctx) as StatementClass;
    sink += router.route(cls, ctx, sql).targets[0]!;
  }
  return Number(process.hrtime.bigint() - t) / n;
}

run(Math.min(iterations, 200_000)); // JIT warm-up
const ns: number[] = [];
for (let k = 0; k < 7; k++) ns.push(run(iterations));
ns.sort((a, b) => a - b);
const r = router.route(router.classify(sqls[0]!, cctx) as StatementClass, ctx, sqls[0]!);
console.log(
  `${mode}: classify + route ${(ns[3]! / 1000).toFixed(2)} us/statement (median of 7 x ${iterations}; ` +
    `best ${(ns[0]! / 1000).toFixed(2)}) -> ${r.why} (${sink % 2})`,
);
