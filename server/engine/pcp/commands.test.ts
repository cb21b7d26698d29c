/** Command semantics (run/decode) over a ClusterState-backed EngineApi: pgpool's checks and wording, actors. */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import { cstrings, promotePayload } from './codec';
import { pcpCommandByName, pcpCommandForType, listPcpCommands, pcpCommands } from './registry';
import { backendsFor, createStateEngine } from './testing/state-engine';

const actor = { name: 'ops', interface: 'pcp' as const };
const engineWith3 = () => createStateEngine({ backends: backendsFor([1, 2, 3]) });

describe('registry', () => {
  it('maps every request letter of reference §1.4 except M/R/A/F/X (connection-level)', () => {
    const letters = listPcpCommands().flatMap((c) => [c.pcpType, ...(c.alsoTypes ?? [])]);
    expect(letters.sort()).toEqual(
      ['B', 'C', 'D', 'H', 'I', 'J', 'L', 'N', 'O', 'P', 'T', 'W', 'Z', 'd', 'j', 't'].sort(),
    );
    expect(pcpCommandForType('d')).toBe(pcpCommands.detachNode);
    expect(pcpCommandByName('node_info')).toBe(pcpCommands.nodeInfo);
    const reply: Record<string, string> = { D: 'd', J: 'd', O: 'c', C: 'c', T: 't' };
    for (const c of listPcpCommands()) expect(c.replyType).toBe(reply[c.pcpType] ?? c.pcpType.toLowerCase());
  });
});

describe('detach', () => {
  const { detachNode } = pcpCommands;
  it('decodes D and d (graceful)', () => {
    expect(detachNode.decode(cstrings(['2']), 'D')).toEqual({ nodeId: 2, graceful: false });
    expect(detachNode.decode(cstrings(['2']), 'd')).toEqual({ nodeId: 2, graceful: true });
  });
  it('refuses out of range, already down, and DISALLOW_TO_FAILOVER with pgpool wording', async () => {
    const e = engineWith3();
    await expect(detachNode.run(e, { nodeId: 9, graceful: false }, actor)).rejects.toMatchObject({
      code: 'node_not_found',
      message:
        'invalid degenerate backend request, node id: 9 is out of range. node id must be between [0 and 2]',
    });
    e.state.setStatus(1, 'down', null);
    await expect(detachNode.run(e, { nodeId: 1, graceful: false }, actor)).rejects.toMatchObject({
      message: 'invalid degenerate backend request, node id : 1 status: [3] is not valid for failover',
    });
    e.state.nodes[2]!.flags.allowToFailover = false;
    await expect(detachNode.run(e, { nodeId: 2, graceful: false }, actor)).rejects.toMatchObject({
      code: 'failover_disallowed',
    });
    expect(e.actions).toEqual([]);
  });
  it('passes graceful and the actor to EngineApi.detachNode', async () => {
    const e = engineWith3();
    await detachNode.run(e, { nodeId: 2, graceful: true }, actor);
    expect(e.actions).toEqual([{ action: 'detach', nodeId: 2, actor, extra: { graceful: true } }]);
  });
});

describe('promote', () => {
  const { promoteNode } = pcpCommands;
  it('decodes "<id> \\0" + option byte; a missing option means no switchover', () => {
    expect(promoteNode.decode(promotePayload(12, true), 'j')).toEqual({
      nodeId: 12,
      switchover: true,
      graceful: true,
    });
    expect(promoteNode.decode(cstrings(['3 ']), 'J')).toEqual({
      nodeId: 3,
      switchover: false,
      graceful: false,
    });
  });
  it('invalid id -> ERROR; not streaming -> FATAL', async () => {
    await expect(
      promoteNode.run(engineWith3(), { nodeId: 5, switchover: false, graceful: false }, actor),
    ).rejects.toMatchObject({
      message: 'could not process promote request',
      details: { pcp: { severity: 'ERROR', detail: 'node id 5 is not valid' } },
    });
    const native = createStateEngine({ backends: backendsFor([1, 2]), mode: 'native_replication' });
    await expect(
      promoteNode.run(native, { nodeId: 1, switchover: false, graceful: false }, actor),
    ).rejects.toMatchObject({
      details: { pcp: { severity: 'FATAL' } },
    });
  });
});

describe('stop, reload, watchdog, health check', () => {
  it('stop decodes the mode byte and refuses others; shutdown happens in afterReply', async () => {
    const { stopPgpool } = pcpCommands;
    expect(stopPgpool.decode(Buffer.from('i'), 't')).toEqual({ mode: 'immediate', scope: 'cluster' });
    expect(() => stopPgpool.decode(Buffer.from('x'), 'T')).toThrow(
      'PCP: error while processing shutdown request',
    );
    const e = engineWith3();
    const args = stopPgpool.decode(Buffer.from('s'), 'T');
    await stopPgpool.run(e, args, actor);
    expect(e.shutdowns).toEqual([]);
    await stopPgpool.afterReply!(e, args, actor);
    expect(e.shutdowns).toEqual(['smart']);
  });

  it('reload is an EngineApi call with the actor', async () => {
    const e = engineWith3();
    await pcpCommands.reloadConfig.run(e, pcpCommands.reloadConfig.decode(Buffer.from('c'), 'Z'), actor);
    expect(e.actions).toEqual([{ action: 'reload', actor }]);
  });

  it('watchdog on but not exposed -> not_implemented', async () => {
    const e = engineWith3();
    e.config.use_watchdog = true;
    await expect(pcpCommands.watchdogInfo.run(e, { watchdogId: -1 }, actor)).rejects.toMatchObject({
      code: 'not_implemented',
      message: 'PCP: informing watchdog info failed',
    });
  });

  it('health check stats: id > NUM_BACKENDS invalid, == NUM_BACKENDS "does not exist", zeros without stats', async () => {
    const e = engineWith3();
    const { healthCheckStats } = pcpCommands;
    await expect(healthCheckStats.run(e, { nodeId: 4 }, actor)).rejects.toMatchObject({
      details: { pcp: { detail: 'invalid node ID 4' } },
    });
    await expect(healthCheckStats.run(e, { nodeId: 3 }, actor)).rejects.toMatchObject({
      details: { pcp: { detail: 'stats data for node ID 3 does not exist' } },
    });
    expect(await healthCheckStats.run(e, { nodeId: 1 }, actor)).toMatchObject({
      nodeId: 1,
      status: 'up',
      role: 'standby',
      totalCount: 0,
    });
  });

  it('node info outside streaming mode prints the role as pg_role', async () => {
    const e = createStateEngine({ backends: backendsFor([1, 2]), mode: 'native_replication' });
    const { nodes } = await pcpCommands.nodeInfo.run(e, { nodeId: -1 }, actor);
    expect(nodes.map((n) => [n.role, n.pgRole])).toEqual([
      ['main', 'main'],
      ['replica', 'replica'],
    ]);
  });
});

describe('reply timing (PcpRunContext)', () => {
  const { detachNode, attachNode, promoteNode } = pcpCommands;
  /** An engine whose admin actions stay pending until released (the failover queue still working). */
  const slowEngine = () => {
    const e = engineWith3();
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    e.detachNode = () => gate;
    e.attachNode = () => gate;
    e.promoteNode = () => gate;
    return { e, release };
  };
  const settled = async (p: Promise<unknown>): Promise<boolean> => {
    let done = false;
    void p.then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((r) => setTimeout(r, 20));
    return done;
  };

  it('PCP (replyWhenQueued): attach, detach, promote reply before the action has finished; without: after', async () => {
    const { e, release } = slowEngine();
    const ctx = { replyWhenQueued: true };
    expect(await settled(detachNode.run(e, { nodeId: 2, graceful: false }, actor, ctx))).toBe(true);
    expect(await settled(attachNode.run(e, { nodeId: 2 }, actor, ctx))).toBe(true);
    expect(
      await settled(promoteNode.run(e, { nodeId: 1, switchover: true, graceful: false }, actor, ctx)),
    ).toBe(true);
    // Graceful detach/promote and the control plane (no ctx) wait for the action.
    expect(await settled(detachNode.run(e, { nodeId: 2, graceful: true }, actor, ctx))).toBe(false);
    expect(
      await settled(promoteNode.run(e, { nodeId: 1, switchover: true, graceful: true }, actor, ctx)),
    ).toBe(false);
    const plain = detachNode.run(e, { nodeId: 2, graceful: false }, actor);
    expect(await settled(plain)).toBe(false);
    release();
    await plain;
  });

  it('an engine refusal made before queueing still comes back as an error', async () => {
    const e = engineWith3();
    e.attachNode = () => Promise.reject(new EngineError('failover_in_progress', 'failover is in progress'));
    await expect(attachNode.run(e, { nodeId: 2 }, actor, { replyWhenQueued: true })).rejects.toMatchObject({
      code: 'failover_in_progress',
    });
  });

  it('graceful timeout: PCP gets CommandComplete plus a NOTICE (pgpool ignores the result); no ctx: the error', async () => {
    const e = engineWith3();
    const timeout = new EngineError(
      'timeout',
      'graceful detach of node 2 gave up: 1 session(s) still use it',
    );
    e.detachNode = () => Promise.reject(timeout);
    const notices: string[] = [];
    await detachNode.run(e, { nodeId: 2, graceful: true }, actor, {
      replyWhenQueued: true,
      notice: (m, d) => notices.push(`${m} / ${d}`),
    });
    expect(notices).toEqual([
      'graceful detach of node 2 gave up: 1 session(s) still use it / the request was not carried out',
    ]);
    await expect(detachNode.run(e, { nodeId: 2, graceful: true }, actor)).rejects.toBe(timeout);
  });
});
