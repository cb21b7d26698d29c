/**
 * pgpool's reload semantics (reference §8.3): on SIGHUP / `pgwarden reload` / pcp_reload_config only RELOAD and
 * SESSION parameters take effect; a changed INIT parameter keeps its running value until restart (pgpool ignores
 * it; pgwarden also says so). Backends may be added by reload (a new node number) but not removed, and an existing
 * node's address does not change under a live cluster state.
 */
import { getParam } from './registry';
import type { PgwardenConfig } from './types';

export interface ReloadResult {
  /** The config to run with: `next`, with INIT parameters and existing nodes' addresses kept from `current`. */
  config: PgwardenConfig;
  /** Parameters whose new value takes effect now. */
  changed: string[];
  /** Human sentences for what was not applied (restart needed), to log as warnings. */
  ignored: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function mergeReload(current: PgwardenConfig, next: PgwardenConfig): ReloadResult {
  const changed: string[] = [];
  const ignored: string[] = [];
  const settings = { ...next.settings };
  const merged = { ...next } as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(next.settings)) {
    const def = getParam(name);
    const old = current.settings[name];
    if (!def || same(old, value)) continue;
    if (def.context === 'INIT') {
      ignored.push(`${name}: changed in the file but needs a restart; keeping ${JSON.stringify(old)}`);
      settings[name] = old!;
      if (name in current) merged[name] = (current as unknown as Record<string, unknown>)[name];
    } else changed.push(name);
  }
  const backends = next.backends.map((b, i) => {
    const was = current.backends[i];
    if (!was) {
      changed.push(`backend ${i} added`);
      return b;
    }
    if (was.hostname !== b.hostname || was.port !== b.port) {
      ignored.push(
        `node ${i}: backend_hostname${i}/backend_port${i} changed; a node's address changes only at restart`,
      );
      return { ...b, hostname: was.hostname, port: was.port };
    }
    if (!same(was, b)) changed.push(`backend ${i}`);
    return b;
  });
  for (const b of current.backends.slice(next.backends.length)) {
    ignored.push(
      `node ${b.id} was removed from the file; nodes cannot be removed by reload, it stays until restart`,
    );
    backends.push(b);
  }
  if (!same(current.watchdog, next.watchdog)) ignored.push('watchdog nodes changed: needs a restart');
  merged.settings = settings;
  merged.backends = backends;
  merged.watchdog = current.watchdog;
  return { config: merged as unknown as PgwardenConfig, changed, ignored };
}
