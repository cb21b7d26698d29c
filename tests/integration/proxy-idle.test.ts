// client_idle_limit and client_idle_limit_in_recovery (reference §10, §6.2 step 4) through the proxy, against a real
// PostgreSQL with node-postgres clients. "In recovery" is what online recovery does to the proxy: it blocks the
// proxy's Admission (recovery/proxy-gate.ts -> Admission.block()), which the test does directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createAdminHandler } from '../../server/engine/admin/index';
import { createRouter } from '../../server/engine/router/index';
import { createLogger } from '../../server/engine/runtime/logger';
import { captureAdmissions, type Admission } from '../../server/engine/frontend/admission';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
type PgError = Error & { code?: string; detail?: string };

/** Records the first error the client reports and when the connection ended. */
function watch(c: pg.Client): { error: () => PgError | undefined; endedAt: () => number | null } {
  let error: PgError | undefined;
  let endedAt: number | null = null;
  c.on('error', (e: PgError) => (error ??= e));
  c.on('end', () => (endedAt ??= Date.now()));
  return { error: () => error, endedAt: () => endedAt };
}

async function waitUntil(what: string, fn: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('proxy: client_idle_limit', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  beforeAll(async () => {
    // The real router and PGPOOL SET handler (admin/), so a session can change its own limit.
    tp = await startTestProxy(pgc.cluster, { client_idle_limit: 2 }, async (config, state) => {
      const router = createRouter({ config, state, logger: createLogger({ level: 'fatal' }) });
      await router.ready;
      return {
        router,
        admin: createAdminHandler((session) => ({
          state,
          config,
          session,
          sessions: () => tp.proxy.sessions(),
          pools: () => tp.proxy.pools(),
          healthCheckStats: () => [],
        })),
      };
    });
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('disconnects a client idle past the limit (in a transaction too) with pgpool 4.3 words; a running query is not idle', async () => {
    const idle = await tp.client();
    const inTx = await tp.client();
    const busy = await tp.client();
    const wIdle = watch(idle);
    const wTx = watch(inTx);
    const wBusy = watch(busy);
    const t0 = Date.now();
    await idle.query('SELECT 1');
    await inTx.query('BEGIN');
    const sleepRes = await busy.query('SELECT pg_sleep(3.5) AS s');
    // The busy client ran 3.5 s (> limit) and got its answer: time spent waiting for the backend does not count.
    expect(sleepRes.rows).toHaveLength(1);
    expect(wBusy.error()).toBeUndefined();
    await waitUntil('idle clients closed', () => wIdle.endedAt() !== null && wTx.endedAt() !== null, 10_000);
    for (const w of [wIdle, wTx]) {
      expect(w.error()?.code).toBe('57000');
      expect(w.error()?.message).toBe('unable to read data');
      expect(w.error()?.detail).toBe(
        'child connection forced to terminate due to client_idle_limit:2 is reached',
      );
    }
    const after = (wIdle.endedAt()! - t0) / 1000;
    expect(after).toBeGreaterThanOrEqual(2);
    // The busy client is idle now: it goes too, limit + at most the tick, after its answer.
    await waitUntil('busy client closed once idle', () => wBusy.endedAt() !== null, 10_000);
    expect(wBusy.error()?.detail).toContain('client_idle_limit:2');
    console.log(`client_idle_limit=2: idle client closed after ${after.toFixed(1)} s`);
  });

  it('a client that keeps sending statements stays; PGPOOL SET client_idle_limit applies to its session only', async () => {
    const active = await tp.client();
    const wActive = watch(active);
    const custom = await tp.client();
    const wCustom = watch(custom);
    await custom.query('PGPOOL SET client_idle_limit = 0');
    for (let i = 0; i < 14; i++) {
      await active.query('SELECT 1');
      await sleep(300);
    }
    expect(wActive.error()).toBeUndefined();
    expect(wActive.endedAt()).toBeNull();
    // 4.2 s of idleness with the session's own limit 0 (off): still connected.
    expect(wCustom.endedAt()).toBeNull();
    expect((await custom.query('SELECT 2 AS x')).rows[0].x).toBe(2);
    await active.end();
    await custom.end();
  });
});

describe('proxy: client_idle_limit_in_recovery', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  let admission: Admission;
  beforeAll(async () => {
    const started = captureAdmissions(() =>
      startTestProxy(pgc.cluster, { client_idle_limit_in_recovery: 2 }),
    );
    tp = await started.result;
    admission = started.admissions[0]!;
  });
  afterAll(async () => {
    admission?.unblock();
    await tp?.stop();
  });

  it('N > 0: only while recovery holds new sessions, idle clients go after N s with pgpool 4.3 words', async () => {
    const before = await tp.client();
    const wBefore = watch(before);
    await sleep(3200); // no recovery: client_idle_limit (0) applies, nothing happens
    expect(wBefore.endedAt()).toBeNull();

    const busy = await tp.client();
    const wBusy = watch(busy);
    admission.block();
    const t0 = Date.now();
    const res = await busy.query('SELECT pg_sleep(2.5) AS s');
    expect(res.rows).toHaveLength(1);
    await waitUntil('idle client closed', () => wBefore.endedAt() !== null, 10_000);
    const after = (wBefore.endedAt()! - t0) / 1000;
    expect(wBefore.error()?.code).toBe('57000');
    expect(wBefore.error()?.message).toBe('unable to read data');
    expect(wBefore.error()?.detail).toBe(
      'child connection forced to terminate due to client_idle_limit_in_recovery:2 is reached',
    );
    await waitUntil('busy client closed once idle', () => wBusy.endedAt() !== null, 10_000);
    expect(tp.proxy.sessions()).toHaveLength(0);
    admission.unblock();
    console.log(`client_idle_limit_in_recovery=2: idle client closed ${after.toFixed(1)} s after the block`);
    // Recovery over: a new client gets in and is left alone.
    const later = await tp.client();
    const wLater = watch(later);
    await sleep(3200);
    expect(wLater.endedAt()).toBeNull();
    await later.end();
  });

  it('-1: idle clients go at once, a busy one right after its answer', async () => {
    tp.config.client_idle_limit_in_recovery = -1;
    try {
      const idle = await tp.client();
      const busy = await tp.client();
      const wIdle = watch(idle);
      const wBusy = watch(busy);
      const q = busy.query('SELECT pg_sleep(3) AS s');
      await sleep(200);
      admission.block();
      const t0 = Date.now();
      await waitUntil('idle client closed', () => wIdle.endedAt() !== null, 5_000);
      expect(Date.now() - t0).toBeLessThan(3000); // within two 1 s ticks
      expect(wIdle.error()?.code).toBe('57000');
      expect(wIdle.error()?.message).toBe('connection terminated due to online recovery');
      expect(wIdle.error()?.detail).toBe('child connection forced to terminate due to client_idle_limit:-1');
      expect(wBusy.endedAt()).toBeNull();
      expect((await q).rows).toHaveLength(1);
      const answered = Date.now();
      await waitUntil('busy client closed', () => wBusy.endedAt() !== null, 5_000);
      expect(wBusy.endedAt()! - answered).toBeLessThan(1000);
      expect(wBusy.error()?.message).toBe('connection terminated due to online recovery');
    } finally {
      admission.unblock();
      tp.config.client_idle_limit_in_recovery = 2;
    }
  });
});
