/**
 * `npm run demo`: a whole pgwarden on one machine. Creates (or reuses) a 3-node streaming cluster under ./.demo
 * (primary + 2 standbys), writes a pgwarden configuration for it (health checks, single-host failover and
 * follow-primary scripts, online recovery), starts pgwarden with its dashboard and prints how to connect.
 * Ctrl-C stops everything it started.
 *
 * Environment (tests and a second demo on one machine): PGWARDEN_DEMO_DIR (default ./.demo), PGWARDEN_DEMO_PORT
 * (9999), PGWARDEN_DEMO_PCP_PORT (9898), PGWARDEN_DEMO_DASHBOARD_PORT (3000).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCluster, type PgCluster } from '../tests/helpers/pg-cluster';

const root = resolve(import.meta.dirname, '..');
const demoDir = resolve(process.env.PGWARDEN_DEMO_DIR ?? join(root, '.demo'));
const etc = join(demoDir, 'etc');
const PROXY_PORT = Number(process.env.PGWARDEN_DEMO_PORT ?? 9999);
const PCP_PORT = Number(process.env.PGWARDEN_DEMO_PCP_PORT ?? 9898);
const DASHBOARD_PORT = Number(process.env.PGWARDEN_DEMO_DASHBOARD_PORT ?? 3000);
const PCP_USER = 'pgwarden';
const PCP_PASSWORD = 'pgwarden';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function writeConfig(cluster: PgCluster): { conf: string; pcp: string; hba: string; pcppass: string } {
  mkdirSync(etc, { recursive: true });
  mkdirSync(join(demoDir, 'log'), { recursive: true });
  const ex = join(root, 'scripts/examples');
  const lines = [
    '# Written by `npm run demo`; pgpool.conf syntax (pgwarden reads pgpool-II 4.3 configuration files).',
    "backend_clustering_mode = 'streaming_replication'",
    "listen_addresses = '127.0.0.1'",
    `port = ${PROXY_PORT}`,
    `socket_dir = '${join(demoDir, 'run')}'`,
    "pcp_listen_addresses = '127.0.0.1'",
    `pcp_port = ${PCP_PORT}`,
    `pcp_socket_dir = '${join(demoDir, 'run')}'`,
    `logdir = '${join(demoDir, 'log')}'`,
    `pid_file_name = '${join(demoDir, 'run/pgwarden.pid')}'`,
    `data_directory = '${join(demoDir, 'pgwarden')}'`,
    `dashboard_port = ${DASHBOARD_PORT}`,
    'num_init_children = 64',
    'max_pool = 4',
    'load_balance_mode = on',
    "sr_check_user = 'postgres'",
    'sr_check_period = 2',
    'delay_threshold = 10000000',
    'health_check_period = 1',
    'health_check_timeout = 5',
    "health_check_user = 'postgres'",
    'health_check_max_retries = 2',
    'health_check_retry_delay = 1',
    'connect_timeout = 2000',
    `failover_command = '${ex}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S'`,
    `follow_primary_command = '${ex}/follow_primary.sh %d %h %p %D %m %H %M %P %r %R'`,
    "recovery_user = 'postgres'",
    "recovery_1st_stage_command = 'recovery_1st_stage'",
    'recovery_timeout = 120',
    "recovery_script_runner = 'direct'",
    'auto_failback = on',
    'auto_failback_interval = 30',
    'log_per_node_statement = off',
    // Trust authentication everywhere: no pool_passwd needed.
    "pool_passwd = ''",
  ];
  for (const n of cluster.nodes) {
    lines.push(
      `backend_hostname${n.id} = '127.0.0.1'`,
      `backend_port${n.id} = ${n.port}`,
      `backend_weight${n.id} = 1`,
      `backend_data_directory${n.id} = '${n.dataDir}'`,
      `backend_application_name${n.id} = '${n.name}'`,
      `backend_flag${n.id} = 'ALLOW_TO_FAILOVER'`,
    );
  }
  mkdirSync(join(demoDir, 'run'), { recursive: true });
  const conf = join(etc, 'pgpool.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  const pcp = join(etc, 'pcp.conf');
  writeFileSync(pcp, `# user:md5(password)\n${PCP_USER}:${md5(PCP_PASSWORD)}\n`);
  const hba = join(etc, 'pool_hba.conf');
  writeFileSync(hba, 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n');
  const pcppass = join(etc, 'pcppass');
  writeFileSync(pcppass, `*:${PCP_PORT}:${PCP_USER}:${PCP_PASSWORD}\n`);
  chmodSync(pcppass, 0o600);
  return { conf, pcp, hba, pcppass };
}

async function main(): Promise<void> {
  console.log(`pgwarden demo: preparing a 3-node PostgreSQL 15 streaming cluster in ${demoDir} ...`);
  const cluster = await createCluster({
    mode: 'streaming',
    nodes: 3,
    baseDir: join(demoDir, 'pg'),
    keep: true,
    pgpoolRecovery: true,
  });
  const files = writeConfig(cluster);

  if (!existsSync(join(root, '.next/BUILD_ID'))) {
    console.log('pgwarden demo: building the dashboard (first run only) ...');
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }

  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'server/cli.ts'),
      '-n',
      '-D',
      '-f',
      files.conf,
      '-F',
      files.pcp,
      '-a',
      files.hba,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\npgwarden demo: stopping pgwarden and the PostgreSQL cluster ...');
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 200));
      await Promise.race([
        new Promise((r) => child.once('exit', r)),
        new Promise((r) => setTimeout(r, 10_000)),
      ]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await cluster.destroy();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`pgwarden exited with code ${code ?? 'null'}`);
      void stop(code ?? 1);
    }
  });

  console.log(`
pgwarden demo is starting. Nodes: ${cluster.nodes.map((n) => `${n.name} 127.0.0.1:${n.port}`).join(', ')}

  SQL through pgwarden:  psql -h 127.0.0.1 -p ${PROXY_PORT} -U postgres postgres
                         psql -h 127.0.0.1 -p ${PROXY_PORT} -U postgres -c 'show pool_nodes'
  PCP (pgpool's tools):  PCPPASSFILE=${files.pcppass} pcp_node_info -h localhost -p ${PCP_PORT} -U ${PCP_USER} -w -n 0
  Dashboard:             http://localhost:${DASHBOARD_PORT}  (log in as ${PCP_USER} / ${PCP_PASSWORD})
  Configuration:         ${files.conf}

Press Ctrl-C to stop everything.
`);
}

main().catch((err: unknown) => {
  console.error('pgwarden demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
