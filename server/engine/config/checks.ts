/**
 * Cross-field checks, run after every parameter is individually valid. Each diagnostic points at the line that
 * set one of the parameters involved (or at pgpool.conf itself when both are defaults).
 */
import type { DiagnosticSink } from './diagnostics';
import type { PgwardenConfig } from './types';

export interface CheckOptions {
  /** Checks files named by the config (SSL key and certificate); false in pure unit tests. */
  fileExists?: (path: string) => boolean;
}

function at(cfg: PgwardenConfig, key: string): { file: string; line: number } {
  const src = cfg.sources[key];
  if (!src) return { file: cfg.files.pgpool_conf, line: 0 };
  const i = src.lastIndexOf(':');
  return { file: src.slice(0, i), line: Number(src.slice(i + 1)) };
}

export function checkConfig(cfg: PgwardenConfig, sink: DiagnosticSink, opts: CheckOptions = {}): void {
  const warn = (key: string, msg: string) => {
    const w = at(cfg, key);
    sink.warn(w.file, w.line, key, msg);
  };
  const error = (key: string, msg: string) => {
    const w = at(cfg, key);
    sink.error(w.file, w.line, key, msg);
  };

  // pgpool starts without backends (they can be added by reload), so this is a warning, not an error.
  if (cfg.backends.length === 0) {
    sink.warn(
      cfg.files.pgpool_conf,
      0,
      undefined,
      'no backend is configured (backend_hostname0, backend_port0, ...): every client will be refused',
    );
  }
  if (cfg.reserved_connections >= cfg.num_init_children) {
    error('reserved_connections', `must be less than num_init_children (${cfg.num_init_children})`);
  }
  if (cfg.port === cfg.pcp_port) error('pcp_port', `is the same as port (${cfg.port})`);
  if (cfg.dashboard_port === cfg.port || cfg.dashboard_port === cfg.pcp_port) {
    error(
      'dashboard_port',
      `${cfg.dashboard_port} is already used by ${cfg.dashboard_port === cfg.port ? 'port' : 'pcp_port'}`,
    );
  }

  const recovery = cfg.recovery_1st_stage_command !== '' || cfg.recovery_2nd_stage_command !== '';
  if (recovery) {
    // pgpool only finds out when pcp_recovery_node runs; saying it at start-up is cheaper.
    for (const b of cfg.backends.filter((x) => x.data_directory === '')) {
      warn(
        'recovery_1st_stage_command',
        `node ${b.id} has no backend_data_directory${b.id}: online recovery of or from it will fail`,
      );
    }
  }
  if (cfg.load_balance_mode && cfg.backends.length > 1 && cfg.backends.every((b) => b.weight === 0)) {
    warn(
      'load_balance_mode',
      'every backend_weight is 0 (the pgpool default): no node receives load-balanced reads; set backend_weightN',
    );
  }
  if (cfg.backend_clustering_mode === 'snapshot_isolation') {
    // Accepted by pgpool 4.3; pgwarden has no snapshot synchronisation (server/engine/replication/README.md).
    error(
      'backend_clustering_mode',
      'snapshot_isolation is not supported by pgwarden (no snapshot synchronisation across nodes): use native_replication',
    );
  }
  const alwaysPrimary = cfg.backends.filter((b) => b.flag.alwaysPrimary);
  if (alwaysPrimary.length > 1) {
    error(
      'backend_clustering_mode',
      `ALWAYS_PRIMARY is set on nodes ${alwaysPrimary.map((b) => b.id).join(', ')}: at most one node can be the primary`,
    );
  }

  if (cfg.ssl) {
    for (const key of ['ssl_cert', 'ssl_key'] as const) {
      const path = cfg[key];
      if (path === '') error(key, 'ssl = on needs ssl_cert and ssl_key');
      else if (opts.fileExists && !opts.fileExists(path)) error(key, `file '${path}' does not exist`);
    }
  }
  if (
    cfg.use_watchdog &&
    !cfg.watchdog.converted_from_3x &&
    cfg.watchdog.nodes.length > 0 &&
    cfg.watchdog.local_node_id === null
  ) {
    warn(
      'use_watchdog',
      `pgpool_node_id file missing next to ${cfg.files.pgpool_conf}: pgpool would refuse to start the watchdog`,
    );
  }
}
