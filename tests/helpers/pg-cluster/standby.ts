// Streaming standbys (pg_basebackup -R -c fast -X stream from the primary, like a DBA would build them) and the
// cluster state shared by the nodes of one helper cluster.

import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeCommonConf, writeNodeConf } from './conf';
import { makeNode } from './node';
import { freePort } from './ports';
import { bin, mkdirPg, runOk, sleep } from './proc';
import type { AuthMethod, CreateStandbyOptions, PgCluster, PgNode } from './types';

export interface ClusterState {
  cluster: PgCluster;
  auth: AuthMethod;
  extraConf: Record<string, string>;
}
export const clusterOfNode = new WeakMap<PgNode, ClusterState>();

export async function waitStreaming(primary: PgNode, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ application_name: string; state: string }>(
      'SELECT application_name, state FROM pg_stat_replication',
    );
    if (names.every((n) => rows.some((r) => r.application_name === n && r.state === 'streaming'))) return;
    if (Date.now() > deadline) {
      throw new Error(`pg-cluster: standbys ${names.join(',')} not streaming: ${JSON.stringify(rows)}`);
    }
    await sleep(50);
  }
}

export async function newNodeDir(baseDir: string, name: string): Promise<string> {
  const nodeDir = path.join(baseDir, name);
  await rm(nodeDir, { recursive: true, force: true });
  // 0755: the socket lives here and psql/node-postgres run as root or any user.
  await mkdirPg(nodeDir, 0o755);
  return nodeDir;
}

export async function copyTemplate(template: string, dataDir: string): Promise<void> {
  await runOk('cp', ['-a', template, dataDir], { asPostgres: false });
  await chmod(dataDir, 0o700);
}

/**
 * A streaming standby of `primary` via pg_basebackup -R -c fast -X stream, with application_name=<name> in
 * primary_conninfo. If the primary belongs to a helper cluster, the standby joins cluster.nodes (destroyed with it).
 */
export async function createStandby(primary: PgNode, opts: CreateStandbyOptions = {}): Promise<PgNode> {
  const state = clusterOfNode.get(primary);
  const nodes = state?.cluster.nodes ?? [];
  const id = opts.id ?? (nodes.length ? Math.max(...nodes.map((n) => n.id)) + 1 : primary.id + 1);
  const name = opts.name ?? `node${id}`;
  const baseDir = opts.baseDir ?? state?.cluster.baseDir ?? path.dirname(primary.socketDir);
  const auth = state?.auth ?? 'trust';
  const port = await freePort();
  const nodeDir = await newNodeDir(baseDir, name);
  const node = makeNode({
    id,
    name,
    port,
    nodeDir,
    archiveDir: primary.archiveDir,
    users: state?.cluster.users ?? [],
    onPromote: (n) => {
      if (state) state.cluster.primary = n;
    },
  });
  if (state) {
    clusterOfNode.set(node, state);
    nodes.push(node);
  }
  await writeNodeConf(node, opts.extraConf);
  if (opts.basebackup === false) return node;
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres application_name=${name}`;
  await runOk(
    bin('pg_basebackup'),
    ['-D', node.dataDir, '-R', '-c', 'fast', '-X', 'stream', '--no-sync', '-d', conninfo],
    { timeoutMs: 120_000 },
  );
  await chmod(node.dataDir, 0o700);
  await writeCommonConf(node.dataDir, auth, state?.extraConf);
  if (opts.start !== false) {
    await node.start();
    await waitStreaming(primary, [name], 60_000);
  }
  return node;
}
