// Clusters of nodes: createCluster (streaming: primary + standbys; independent: N primaries from one template),
// destroy, and kept clusters (the demo's ./.demo) described by <baseDir>/cluster.json and restarted in place.

import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { q, writeCommonConf, writeNodeConf } from './conf';
import { makeNode } from './node';
import { freePort, releasePort, reservePort } from './ports';
import { clusterRoot, mkdirPg } from './proc';
import { OWNER_FILE, reapStaleClusters } from './reaper';
import { installSafetyNet, liveDataDirs, tempDirs } from './safety-net';
import {
  clusterOfNode,
  copyTemplate,
  createStandby,
  newNodeDir,
  waitStreaming,
  type ClusterState,
} from './standby';
import { ensureTemplate } from './template';
import type { AuthMethod, CreateClusterOptions, PgCluster, PgNode, PgUser } from './types';

async function createUsers(node: PgNode, users: PgUser[]): Promise<void> {
  for (const u of users) {
    const ident = `"${u.name.replace(/"/g, '""')}"`;
    const exists = await node.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [u.name]);
    // An existing role (e.g. 'postgres', the bootstrap superuser) keeps its attributes unless superuser is given.
    const su =
      u.superuser === undefined
        ? exists.length
          ? ''
          : 'NOSUPERUSER'
        : u.superuser
          ? 'SUPERUSER'
          : 'NOSUPERUSER';
    await node.query(
      `${exists.length ? 'ALTER' : 'CREATE'} ROLE ${ident} WITH LOGIN ${su} PASSWORD ${q(u.password)}`,
    );
  }
}

interface ClusterMeta {
  mode: 'streaming' | 'independent';
  auth: AuthMethod;
  nodes: { id: number; name: string; port: number }[];
  primaryId: number;
}

export async function createCluster(opts: CreateClusterOptions): Promise<PgCluster> {
  if (opts.nodes < 1) throw new Error('pg-cluster: nodes must be >= 1');
  installSafetyNet();
  const auth = opts.auth ?? 'trust';
  const users = opts.users ?? [];
  const extraConf = opts.extraConf ?? {};
  const timeoutMs = opts.timeoutMs ?? 60_000;

  let baseDir: string;
  if (opts.baseDir) {
    baseDir = path.resolve(opts.baseDir);
    if (opts.keep && existsSync(path.join(baseDir, 'cluster.json'))) {
      const reused = await reuseCluster(baseDir, opts);
      if (reused) return reused;
    }
    await rm(baseDir, { recursive: true, force: true });
    await mkdir(baseDir, { recursive: true });
  } else {
    await reapStaleClusters();
    baseDir = await mkdtemp(path.join(clusterRoot(), 'pgwarden-cluster-'));
    await writeFile(path.join(baseDir, OWNER_FILE), `${process.pid}\n`);
  }
  if (!opts.keep) tempDirs.add(baseDir);
  await chmod(baseDir, 0o755);
  const archiveDir = path.join(baseDir, 'archive');
  await mkdirPg(archiveDir, 0o700);

  const template = await ensureTemplate({ pgpoolRecovery: opts.pgpoolRecovery });
  const cluster: PgCluster = {
    mode: opts.mode,
    nodes: [],
    primary: undefined as unknown as PgNode,
    baseDir,
    archiveDir,
    users,
    destroy: () => destroyCluster(cluster, !!opts.keep),
  };
  const state: ClusterState = { cluster, auth, extraConf };

  try {
    const independentCount = opts.mode === 'independent' ? opts.nodes : 1;
    // Independent nodes: same template, own archive (identical WAL file names with different contents).
    await Promise.all(
      Array.from({ length: independentCount }, async (_, id) => {
        const name = `node${id}`;
        const nodeArchive = id === 0 ? archiveDir : path.join(baseDir, `archive-${name}`);
        if (id !== 0) await mkdirPg(nodeArchive, 0o700);
        const port = await freePort();
        const nodeDir = await newNodeDir(baseDir, name);
        const node = makeNode({
          id,
          name,
          port,
          nodeDir,
          archiveDir: nodeArchive,
          users,
          onPromote: (n) => (cluster.primary = n),
        });
        clusterOfNode.set(node, state);
        cluster.nodes[id] = node;
        await copyTemplate(template, node.dataDir);
        await writeCommonConf(node.dataDir, auth, extraConf);
        await writeNodeConf(node);
        await node.start();
        await createUsers(node, users);
      }),
    );
    cluster.primary = cluster.nodes[0]!;
    if (opts.mode === 'streaming') {
      const standbys = await Promise.all(
        Array.from({ length: opts.nodes - 1 }, (_, i) =>
          createStandby(cluster.primary, { id: i + 1, start: true }),
        ),
      );
      cluster.nodes.sort((a, b) => a.id - b.id);
      await waitStreaming(
        cluster.primary,
        standbys.map((s) => s.name),
        timeoutMs,
      );
    }
    await writeMeta(cluster, auth);
    return cluster;
  } catch (e) {
    await destroyCluster(cluster, !!opts.keep).catch(() => {});
    throw e;
  }
}

async function writeMeta(cluster: PgCluster, auth: AuthMethod): Promise<void> {
  const meta: ClusterMeta = {
    mode: cluster.mode,
    auth,
    nodes: cluster.nodes.map((n) => ({ id: n.id, name: n.name, port: n.port })),
    primaryId: cluster.primary.id,
  };
  await writeFile(path.join(cluster.baseDir, 'cluster.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** Restarts a kept cluster (demo) in place; null when its layout does not match the options. */
async function reuseCluster(baseDir: string, opts: CreateClusterOptions): Promise<PgCluster | null> {
  const meta = JSON.parse(await readFile(path.join(baseDir, 'cluster.json'), 'utf8')) as ClusterMeta;
  if (meta.mode !== opts.mode || meta.nodes.length !== opts.nodes) return null;
  if (!meta.nodes.every((n) => existsSync(path.join(baseDir, n.name, 'data', 'PG_VERSION')))) return null;
  if (!meta.nodes.every((n) => reservePort(n.port))) {
    meta.nodes.forEach((n) => releasePort(n.port));
    return null;
  }
  const users = opts.users ?? [];
  const archiveDir = path.join(baseDir, 'archive');
  const cluster: PgCluster = {
    mode: meta.mode,
    nodes: [],
    primary: undefined as unknown as PgNode,
    baseDir,
    archiveDir,
    users,
    destroy: () => destroyCluster(cluster, true),
  };
  const state: ClusterState = { cluster, auth: meta.auth, extraConf: opts.extraConf ?? {} };
  for (const m of meta.nodes) {
    const node = makeNode({
      id: m.id,
      name: m.name,
      port: m.port,
      nodeDir: path.join(baseDir, m.name),
      archiveDir:
        meta.mode === 'independent' && m.id !== 0 ? path.join(baseDir, `archive-${m.name}`) : archiveDir,
      users,
      onPromote: (n) => (cluster.primary = n),
    });
    clusterOfNode.set(node, state);
    cluster.nodes.push(node);
  }
  cluster.primary = cluster.nodes.find((n) => n.id === meta.primaryId) ?? cluster.nodes[0]!;
  await cluster.primary.start();
  await Promise.all(cluster.nodes.map((n) => n.start()));
  return cluster;
}

export async function destroyCluster(cluster: PgCluster, keep: boolean): Promise<void> {
  const errors: unknown[] = [];
  const stopAll = (nodes: PgNode[]): Promise<unknown> =>
    Promise.all(
      nodes.map(async (n) => {
        try {
          await n.stop(keep ? 'fast' : 'immediate');
        } catch (e) {
          errors.push(e);
          await n.kill9().catch((err: unknown) => errors.push(err));
        }
      }),
    );
  // Standbys first: a standby that loses its primary retries streaming, and stopping it then can be slower.
  const primary = cluster.primary as PgNode | undefined;
  await stopAll(cluster.nodes.filter((n) => n !== primary));
  if (primary) await stopAll([primary]);
  if (keep) {
    if (cluster.primary)
      await writeMeta(cluster, clusterOfNode.get(cluster.primary)?.auth ?? 'trust').catch(() => {});
  } else {
    await rm(cluster.baseDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    tempDirs.delete(cluster.baseDir);
  }
  // filter(): a creation that failed half-way can leave holes in nodes[].
  for (const n of cluster.nodes.filter(Boolean)) {
    releasePort(n.port);
    liveDataDirs.delete(n.dataDir);
  }
  if (errors.length) throw new AggregateError(errors, 'pg-cluster: destroy had errors');
}
