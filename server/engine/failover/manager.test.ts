import { describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger';
import { ClusterState } from '../state/cluster-state';
import type { PrimaryDecision } from '../health/primary';
import type { RecoveryWatch } from '../health/probes';
import type { CommandRunner } from './commands';
import { FailoverManager } from './manager';
import { testConfig } from './testing/test-config';

const reason = { code: 'test', message: 'test reason' };

function setup(
  opts: {
    follow?: string;
    primaryAfter?: () => number;
    allow?: boolean[];
    commandMs?: number;
    isInRecovery?: (id: number) => Promise<boolean | null>;
    watchRecovery?: (id: number) => RecoveryWatch;
  } = {},
) {
  const config = testConfig(
    [0, 1, 2].map((i) => ({
      port: 5000 + i,
      hostname: 'h',
      dataDir: `/d${i}`,
      allowToFailover: opts.allow?.[i] ?? true,
    })),
    {
      failover_command: 'fo %d %m %M %P %H %r',
      failback_command: 'fb %d %m %M %P',
      follow_primary_command: opts.follow ?? '',
    },
  );
  const state = new ClusterState('streaming_replication', config.backends);
  state.setPrimary(0, null);
  const commands: string[] = [];
  const running: string[] = [];
  const runCommand: CommandRunner = async (command) => {
    running.push(command);
    expect(running.length).toBe(1); // never two commands at once
    await new Promise((r) => setTimeout(r, opts.commandMs ?? 5));
    running.pop();
    commands.push(command);
    return { command, exitCode: 0, signal: null, timedOut: false, durationMs: 5, output: '' };
  };
  const terminations: { nodeIds?: number[]; all?: boolean }[] = [];
  let persisted = 0;
  const m = new FailoverManager({
    state,
    config: () => config,
    logger: silentLogger,
    runCommand,
    isInRecovery: opts.isInRecovery,
    watchRecovery: opts.watchRecovery,
    persistStatus: () => persisted++,
    findPrimary: async (): Promise<PrimaryDecision> => {
      const p = opts.primaryAfter ? opts.primaryAfter() : (state.validNodeIds()[0] ?? -1);
      return { primary: p, falsePrimaries: [], why: 'test' };
    },
  });
  m.setSessionTerminator({
    terminateSessions: (o) => {
      terminations.push({ nodeIds: o.nodeIds, all: o.all });
      return 1;
    },
  });
  return { m, state, commands, terminations, persisted: () => persisted };
}

describe('FailoverManager (reference §3.3)', () => {
  it('held sessions are released once the new main node answers as a primary, before failover_command ends', async () => {
    let promotedAt = 0;
    const asked: number[] = [];
    const { m, state } = setup({
      commandMs: 1000,
      primaryAfter: () => 1,
      isInRecovery: async (id) => {
        asked.push(id);
        return promotedAt > 0 && Date.now() >= promotedAt ? false : true;
      },
    });
    const t0 = Date.now();
    promotedAt = t0 + 60;
    const down = m.requestNodeDown({ nodeIds: [0], reason, switchover: true });
    await new Promise((r) => setTimeout(r, 1));
    await m.primarySettled();
    const released = Date.now() - t0;
    expect(released).toBeGreaterThanOrEqual(55);
    expect(released).toBeLessThan(900); // the command runs 1000 ms
    expect(m.busy).toBe(true);
    expect(state.mainNodeId).toBe(1);
    expect(new Set(asked)).toEqual(new Set([1]));
    await m.primarySettled(); // later sessions do not wait either
    expect(Date.now() - t0).toBeLessThan(900);
    await down;
    expect(state.primaryNodeId).toBe(1);
  });

  it('the promotion watch asks on one kept connection (watchRecovery) and closes it when the node is writable', async () => {
    let promotedAt = 0;
    const opened: number[] = [];
    let polls = 0;
    let closed = 0;
    let freshAsks = 0;
    const { m, state } = setup({
      commandMs: 1000,
      primaryAfter: () => 1,
      isInRecovery: async () => {
        freshAsks++;
        return true;
      },
      watchRecovery: (id) => {
        opened.push(id);
        return {
          isInRecovery: async () => {
            polls++;
            return !(promotedAt > 0 && Date.now() >= promotedAt);
          },
          close: () => closed++,
        };
      },
    });
    const t0 = Date.now();
    promotedAt = t0 + 60;
    const down = m.requestNodeDown({ nodeIds: [0], reason, switchover: true });
    await new Promise((r) => setTimeout(r, 1));
    await m.primarySettled();
    const released = Date.now() - t0;
    expect(released).toBeGreaterThanOrEqual(55);
    expect(released).toBeLessThan(900); // the command runs 1000 ms
    expect(opened).toEqual([1]); // one watch, on the new main node
    expect(freshAsks).toBe(0);
    expect(polls).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(1); // closed as soon as the node answered as a primary
    await down;
    expect(state.primaryNodeId).toBe(1);
    expect(closed).toBe(1);
  });

  it('primarySettled: new sessions wait while the primary fails over, not while a standby does', async () => {
    const { m, state } = setup({ primaryAfter: () => 1 });
    await expect(m.primarySettled()).resolves.toBeUndefined(); // nothing running
    const standby = m.requestNodeDown({ nodeIds: [2], reason, switchover: true });
    let settled = false;
    await m.primarySettled().then(() => (settled = true));
    expect(settled).toBe(true); // primary 0 still valid: no wait
    await standby;
    const down = m.requestNodeDown({ nodeIds: [0], reason, switchover: true });
    await new Promise((r) => setTimeout(r, 1)); // the request is being processed
    let primaryAtRelease = -2;
    const wait = m.primarySettled().then(() => (primaryAtRelease = state.primaryNodeId));
    expect(m.busy).toBe(true);
    await wait;
    expect(primaryAtRelease).toBe(1);
    await down;
  });

  it('standby down with switchover: partial restart, %m = new main, primary kept, no search', async () => {
    const { m, state, commands, terminations } = setup({ primaryAfter: () => -99 });
    await m.requestNodeDown({ nodeIds: [1], reason, switchover: true });
    expect(state.node(1)?.status).toBe('down');
    expect(state.node(1)?.reason).toEqual(reason);
    expect(commands).toEqual(['fo 1 0 0 0 h 5000']);
    expect(terminations).toEqual([{ nodeIds: [1], all: undefined }]);
    expect(state.primaryNodeId).toBe(0);
  });

  it('health check timeout (no switchover flag): every session is closed', async () => {
    const { m, terminations } = setup();
    await m.requestNodeDown({ nodeIds: [2], reason, switchover: false });
    expect(terminations).toEqual([{ nodeIds: undefined, all: true }]);
  });

  it('primary down: full restart, %m = lowest valid node, primary searched', async () => {
    const { m, state, commands, terminations } = setup({ primaryAfter: () => 1 });
    await m.requestNodeDown({ nodeIds: [0], reason, switchover: true });
    expect(commands).toEqual(['fo 0 1 0 0 h 5001']);
    expect(terminations[0]?.all).toBe(true);
    expect(state.primaryNodeId).toBe(1);
    expect(state.nodes.map((n) => n.status)).toEqual(['down', 'waiting', 'waiting']);
  });

  it('primary down with follow_primary_command: every other node set down, the command runs for each down node', async () => {
    const { m, state, commands } = setup({ primaryAfter: () => 1, follow: 'follow %d %m %M %P %H %r' });
    await m.requestNodeDown({ nodeIds: [0], reason });
    expect(state.nodes.map((n) => n.status)).toEqual(['down', 'waiting', 'down']);
    expect(state.node(2)?.reason?.code).toBe('follow_primary');
    await m.idle();
    expect(commands).toEqual(['fo 0 1 0 0 h 5001', 'follow 0 1 0 0 h 5001', 'follow 2 1 0 0 h 5001']);
  });

  it('promote with switchover: failover_command for the old primary with %m = the target', async () => {
    const { m, commands } = setup({ primaryAfter: () => 2 });
    await m.requestPromote(2, { switchover: true, reason });
    expect(commands).toEqual(['fo 0 2 0 0 h 5002']);
  });

  it('promote without switchover: no failover_command, others down, node recorded as primary', async () => {
    const { m, state, commands } = setup();
    await m.requestPromote(2, { switchover: false, reason });
    expect(commands).toEqual([]);
    expect(state.primaryNodeId).toBe(2);
    expect(state.nodes.map((n) => n.status)).toEqual(['down', 'down', 'waiting']);
  });

  it('failback: waiting, failback_command with the next main node; a valid node is refused', async () => {
    const { m, state, commands, terminations } = setup();
    await m.requestNodeDown({ nodeIds: [1], reason, switchover: true });
    await m.requestNodeUp(1, { code: 'admin_attach', message: 'back' });
    expect(state.node(1)?.status).toBe('waiting');
    expect(commands[1]).toBe('fb 1 0 0 0');
    expect(terminations.length).toBe(1); // SR standby failback restarts nothing
    await m.requestNodeUp(1, reason);
    const refused = state.events().filter((e) => e.kind === 'failback' && e.outcome === 'refused');
    expect(refused[0]?.summary).toBe(
      'invalid failback request, status: [waiting] of node id : 1 is invalid for failback',
    );
  });

  it('requests are serialised: concurrent downs run their commands one after another', async () => {
    const { m, state, commands } = setup();
    await Promise.all([
      m.requestNodeDown({ nodeIds: [1], reason, switchover: true }),
      m.requestNodeDown({ nodeIds: [2], reason, switchover: true }),
      m.requestNodeDown({ nodeIds: [2], reason, switchover: true }), // already down: no backends degenerated
    ]);
    expect(commands).toEqual(['fo 1 0 0 0 h 5000', 'fo 2 0 0 0 h 5000']);
    expect(state.events().filter((e) => e.kind === 'failover_finished')).toHaveLength(2);
  });

  it('DISALLOW_TO_FAILOVER nodes are not degenerated', async () => {
    const { m, state, commands } = setup({ allow: [true, false, true] });
    await m.requestNodeDown({ nodeIds: [1], reason, switchover: true });
    expect(state.node(1)?.status).toBe('waiting');
    expect(commands).toEqual([]);
  });

  it('all nodes down: main -1, no primary, %m = -1 and %H = ""', async () => {
    const { m, state, commands } = setup({ primaryAfter: () => -1 });
    await m.requestNodeDown({ nodeIds: [1, 2], reason, switchover: true });
    await m.requestNodeDown({ nodeIds: [0], reason, switchover: true });
    expect(state.mainNodeId).toBe(-1);
    expect(state.primaryNodeId).toBe(-1);
    expect(commands.at(-1)).toBe('fo 0 -1 0 0 "" ""');
  });

  it('nodeConnected: waiting -> up, down stays down', async () => {
    const { m, state } = setup();
    await m.requestNodeDown({ nodeIds: [2], reason, switchover: true });
    m.nodeConnected(1);
    m.nodeConnected(2);
    expect(state.nodes.map((n) => n.status)).toEqual(['waiting', 'up', 'down']);
    expect(state.node(1)?.reason?.code).toBe('backend_connected');
  });
});
