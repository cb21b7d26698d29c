import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgwardenConfig } from '../config/types';
import { testConfig } from '../failover/testing/test-config';
import { silentLogger } from '../runtime/logger';
import { ClusterState } from '../state/cluster-state';
import type { EngineEvent } from '../state/types';
import { RecoveryManager } from './run';
import type { NodeAttacher } from './types';

const ACTOR = { name: 'test', interface: 'cli' } as const;

describe('RecoveryManager (no PostgreSQL: direct runner, fake failover)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-rec-unit-'));
    await chmod(dir, 0o777); // the direct runner runs scripts as postgres when the tests run as root
    const script = (body: string) => `#!/bin/sh\nexec >>"$1/recovery.log" 2>&1\n${body}\n`;
    await writeFile(
      path.join(dir, 'slow_stage'),
      script('echo "slow: args $*"; sleep 2; echo "exit status 0"'),
    );
    await writeFile(
      path.join(dir, 'fail_stage'),
      `#!/bin/sh\necho "to stdout"\necho "to stderr" >&2\nexit 3\n`,
    );
    await chmod(path.join(dir, 'slow_stage'), 0o755);
    await chmod(path.join(dir, 'fail_stage'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const setup = (over: Partial<PgwardenConfig> = {}, failover: Partial<NodeAttacher> = {}) => {
    const config = testConfig(
      [
        { port: 1, dataDir: dir },
        { port: 2, dataDir: '/nonexistent/node1' },
      ],
      {
        recovery_1st_stage_command: 'slow_stage',
        recovery_script_runner: 'direct',
        ...over,
      },
    );
    const state = new ClusterState(config.backend_clustering_mode, config.backends);
    state.setPrimary(0, null);
    state.setStatus(1, 'down', { code: 'test', message: 'test' });
    const events: EngineEvent[] = [];
    state.subscribe((e) => events.push(e));
    const attacher: NodeAttacher = {
      busy: false,
      following: false,
      requestNodeUp: () => Promise.resolve(),
      ...failover,
    };
    const m = new RecoveryManager({
      state,
      config: () => config,
      logger: silentLogger,
      failover: attacher,
      lookup: () => undefined,
      gate: null,
    });
    return { m, state, config, events };
  };

  it("refuses with pgpool's reasons", () => {
    const { m, state } = setup();
    expect(() => m.start(0, { actor: ACTOR })).toThrow(
      expect.objectContaining({ code: 'node_is_primary' }) as Error,
    );
    expect(() => m.start(7, { actor: ACTOR })).toThrow(
      expect.objectContaining({ code: 'node_not_found' }) as Error,
    );
    state.setStatus(1, 'waiting', null);
    expect(() => m.start(1, { actor: ACTOR })).toThrow(/node id: 1 is alive/);
    expect(() => setup({ recovery_1st_stage_command: '' }).m.start(1, { actor: ACTOR })).toThrow(
      /recovery_1st_stage_command is not set/,
    );
    expect(() => setup({ backend_clustering_mode: 'raw' }).m.start(1, { actor: ACTOR })).toThrow(
      expect.objectContaining({ code: 'wrong_mode' }) as Error,
    );
    expect(() => setup({}, { busy: true }).m.start(1, { actor: ACTOR })).toThrow(
      expect.objectContaining({ code: 'failover_in_progress' }) as Error,
    );
    const noDir = setup();
    noDir.state.nodes[1]!.dataDirectory = '';
    expect(() => noDir.m.start(1, { actor: ACTOR })).toThrow(/backend_data_directory1 is not set/);
  });

  it('one run at a time; cancel interrupts the running script and leaves the node down', async () => {
    const { m, state, events } = setup();
    const id = m.start(1, { actor: ACTOR });
    expect(m.inProgress).toBe(true);
    expect(() => m.start(1, { actor: ACTOR })).toThrow(
      expect.objectContaining({ code: 'recovery_in_progress' }) as Error,
    );
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await m.cancel(id, { actor: ACTOR });
    // slow_stage sleeps 2 s after its first line: the cancel ends it (its process group is signalled).
    expect(Date.now() - t0).toBeLessThan(1500);
    const run = m.run(id)!;
    expect(run.outcome).toBe('cancelled');
    expect(run.stages.map((s) => s.outcome)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(run.stages[0]!.exitCode).toBeNull(); // killed by a signal: no exit code
    expect(run.stages[0]!.output).toContain('pgwarden: cancel: sent SIGTERM to the script');
    expect(run.error).toContain('cancelled by test during stage first_stage');
    expect(run.stages[0]!.output).toContain(`slow: args ${dir} 127.0.0.1 /nonexistent/node1 1 1 2 127.0.0.1`);
    expect(state.node(1)?.status).toBe('down');
    expect(m.inProgress).toBe(false);
    const mine = events.filter((e) => e.details?.runId === id).map((e) => e.kind);
    expect(mine[0]).toBe('recovery_started');
    expect(mine.at(-1)).toBe('recovery_finished');
    await expect(m.cancel(id, { actor: ACTOR })).rejects.toThrow(/already ended/);
  });

  it('a failing script: stage, command, exit code and piped output in the error', async () => {
    const { m, state } = setup({ recovery_1st_stage_command: 'fail_stage' });
    const id = m.start(1, { actor: ACTOR });
    await m.idle();
    const run = m.run(id)!;
    expect(run.outcome).toBe('failed');
    expect(run.stages[0]).toMatchObject({ name: 'first_stage', outcome: 'failed', exitCode: 3 });
    expect(run.stages[0]!.output).toContain('to stdout');
    expect(run.stages[0]!.output).toContain('to stderr');
    expect(run.error).toMatch(/failed at stage first_stage: exited with code 3/);
    expect(run.error).toContain(`${dir}/fail_stage`);
    expect(run.error).toContain('to stderr');
    expect(state.node(1)?.status).toBe('down');
  });
});
