/**
 * The configuration the engine runs on now, and who follows a reload. Modules that run for the engine's lifetime
 * read `current()` per use (health checks, sr_check, failover, recovery, admin) or subscribe with `onChange` to
 * rebuild what they derived from it (the router's compiled lists; the proxy's context for new sessions). A client
 * session pins the config it started with: as in pgpool, a reload applies to new sessions, not to running ones.
 *
 *   const live = new LiveConfig({ config, hba, poolPasswd });
 *   live.onChange((next, prev) => ...); live.set({ ...live.snapshot(), config: merged });
 */
import type { HbaRule, PgwardenConfig, PoolPasswdEntry } from '../config/types';

export interface LiveConfigValue {
  config: PgwardenConfig;
  /** pool_hba.conf rules (re-read on reload when enable_pool_hba). */
  hba: HbaRule[];
  /** pool_passwd entries (re-read on reload). */
  poolPasswd: ReadonlyMap<string, PoolPasswdEntry> | undefined;
}

export type LiveConfigListener = (next: LiveConfigValue, prev: LiveConfigValue) => void | Promise<void>;

export class LiveConfig {
  private value: LiveConfigValue;
  private readonly listeners = new Set<LiveConfigListener>();

  constructor(initial: LiveConfigValue) {
    this.value = initial;
  }

  current(): PgwardenConfig {
    return this.value.config;
  }

  snapshot(): LiveConfigValue {
    return this.value;
  }

  onChange(listener: LiveConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the value and waits for every listener (in order of subscription); returns their failures. */
  async set(next: LiveConfigValue): Promise<string[]> {
    const prev = this.value;
    this.value = next;
    const failures: string[] = [];
    for (const l of [...this.listeners]) {
      try {
        await l(next, prev);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
    return failures;
  }
}
