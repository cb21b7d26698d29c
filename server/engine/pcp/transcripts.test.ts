/**
 * The byte-level transcripts of reference §1.8 (real pgpool 4.3.5 <-> Debian client), reproduced byte for byte by
 * the codec and by the commands run against a ClusterState-backed engine with the same values.
 */
import { describe, expect, it } from 'vitest';
import { md5hex, pcpClientHash, verifyPcpAuth } from './auth';
import {
  authenticationOk,
  cstrings,
  errorPacket,
  frame,
  nodeIdPayload,
  promotePayload,
  saltPacket,
} from './codec';
import { healthCheckStats } from './commands/health-check-stats';
import { nodeCount } from './commands/node-count';
import { nodeInfo } from './commands/node-info';
import { procInfo } from './commands/proc-info';
import { promoteNode } from './commands/promote-node';
import { watchdogInfo } from './commands/watchdog-info';
import { nodeInfoStrings, processConfigStrings, processInfoStrings } from './records';
import { stringsPacket, arraySizeInt32 } from './codec';
import { backendsFor, createStateEngine } from './testing/state-engine';
import { toPcpErrorFields } from './types';

/** `hdr(type, len)` + payload strings: the transcript's notation. */
const msg = (hexHeader: string, ...parts: Array<string | Buffer>): Buffer =>
  Buffer.concat([
    Buffer.from(hexHeader.replace(/ /g, ''), 'hex'),
    ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)),
  ]);

const actor = { name: 'postgres', interface: 'pcp' as const };
const salt = Buffer.from('de766b26', 'hex');

async function errorOf(p: Promise<unknown>): Promise<Buffer> {
  try {
    await p;
  } catch (e) {
    return errorPacket(toPcpErrorFields(e));
  }
  throw new Error('expected an error');
}

describe('§1.8 pcp_node_count transcript', () => {
  it('M, m salt, R, r AuthenticationOK', () => {
    expect(frame('M')).toEqual(msg('4d 00 00 00 04'));
    expect(saltPacket(salt)).toEqual(msg('6d 00 00 00 08 de 76 6b 26'));
    expect(md5hex('postgres')).toBe('e8a48653851e28c69d0506508fb27fc5');
    const hash = pcpClientHash('postgres', 'postgres', salt);
    expect(hash).toBe('107d5d2a265f1882c324bdfa9e928dac');
    expect(frame('R', cstrings(['postgres', hash]))).toEqual(msg('52 00 00 00 2e', 'postgres\0', hash, '\0'));
    expect(authenticationOk()).toEqual(msg('72 00 00 00 15', 'AuthenticationOK\0'));
    expect(verifyPcpAuth([{ user: 'postgres', md5: md5hex('postgres') }], 'postgres', hash, salt)).toBe(true);
    expect(verifyPcpAuth([{ user: 'postgres', md5: md5hex('other') }], 'postgres', hash, salt)).toBe(false);
    expect(
      verifyPcpAuth([{ user: 'postgres', md5: md5hex('postgres') }], 'postgres', hash, Buffer.alloc(4)),
    ).toBe(false);
  });

  it('L -> l "2"', async () => {
    expect(frame('L')).toEqual(msg('4c 00 00 00 04'));
    const engine = createStateEngine({ backends: backendsFor([11002, 11003]) });
    const out = nodeCount.encode(await nodeCount.run(engine, {}, actor));
    expect(Buffer.concat(out)).toEqual(msg('6c 00 00 00 16', 'CommandComplete\0', '2\0'));
    expect(frame('X')).toEqual(msg('58 00 00 00 04'));
  });
});

describe('§1.8 pcp_node_info transcript', () => {
  it('standby record, with ArraySize and CommandComplete', async () => {
    expect(frame('I', nodeIdPayload(1))).toEqual(msg('49 00 00 00 06 31 00'));
    const engine = createStateEngine({ backends: backendsFor([11002, 11003]) });
    engine.state.nodes[1]!.lastStatusChange = new Date(1795305408 * 1000);
    const out = nodeInfo.encode(await nodeInfo.run(engine, { nodeId: 1 }, actor));
    expect(out).toEqual([
      msg('69 00 00 00 10', 'ArraySize\0', '1\0'),
      msg(
        '69 00 00 00 5d',
        'NodeInfo\0localhost\x0011003\x002\x000\x00up\x001073741823.500000\x003\x00standby\x000\x00streaming\x00async\x001795305408\x00',
      ),
      msg('69 00 00 00 14', 'CommandComplete\0'),
    ]);
  });

  it('primary record has empty replication fields', () => {
    const s = nodeInfoStrings({
      nodeId: 0,
      hostname: 'localhost',
      port: 11002,
      status: 'up',
      quarantined: false,
      pgStatus: 'up',
      weight: 0.5,
      role: 'primary',
      pgRole: 'primary',
      replicationDelay: 0,
      replicationState: '',
      replicationSyncState: '',
      lastStatusChange: new Date(1795305404 * 1000),
    });
    expect(cstrings(s).toString('latin1').endsWith('\x002\x00primary\x000\x00\x00\x001795305404\x00')).toBe(
      true,
    );
  });

  it('-n 5 -> ERROR informing node info failed', async () => {
    const engine = createStateEngine({ backends: backendsFor([11002, 11003]) });
    expect(await errorOf(nodeInfo.run(engine, { nodeId: 5 }, actor))).toEqual(
      msg(
        '45 00 00 00 57',
        'SERROR\0CXX000\0Minforming node info failed\0Dinvalid node ID : 5\0Fpcp_worker.c\0L843\0\0',
      ),
    );
  });

  it('three equal weights print 0.333333', async () => {
    const engine = createStateEngine({ backends: backendsFor([1, 2, 3]) });
    const [rec] = (await nodeInfo.run(engine, { nodeId: 2 }, actor)).nodes;
    expect(nodeInfoStrings(rec!)[6]).toBe('715827882.333333');
  });
});

describe('§1.8 other transcripts', () => {
  it('detach, attach, recovery, promote requests and replies', () => {
    expect(frame('D', nodeIdPayload(1))).toEqual(msg('44 00 00 00 06 31 00'));
    expect(frame('d', nodeIdPayload(1))).toEqual(msg('64 00 00 00 06 31 00'));
    expect(frame('C', nodeIdPayload(0))).toEqual(msg('43 00 00 00 06 30 00'));
    expect(frame('O', nodeIdPayload(1))).toEqual(msg('4f 00 00 00 06 31 00'));
    expect(frame('J', promotePayload(1, true))).toEqual(msg('4a 00 00 00 08 31 20 00 73'));
    expect(frame('J', promotePayload(0, false))).toEqual(msg('4a 00 00 00 08 30 20 00 6e'));
    expect(frame('Z', Buffer.from('l'))).toEqual(msg('5a 00 00 00 05 6c'));
    expect(frame('T', Buffer.from('f'))).toEqual(msg('54 00 00 00 05 66'));
    expect(frame('N')).toEqual(msg('4e 00 00 00 04'));
    expect(frame('B')).toEqual(msg('42 00 00 00 04'));
    expect(frame('P', nodeIdPayload(0))).toEqual(msg('50 00 00 00 06 30 00'));
    expect(frame('W', nodeIdPayload(-1))).toEqual(msg('57 00 00 00 07 2d 31 00'));
    for (const t of ['d', 'c', 'z']) {
      expect(stringsPacket(t, ['CommandComplete'])).toEqual(
        msg(`${Buffer.from(t).toString('hex')} 00 00 00 14`, 'CommandComplete\0'),
      );
    }
  });

  it('promote of the primary -> FATAL already primary', async () => {
    const engine = createStateEngine({ backends: backendsFor([11002, 11003]) });
    const args = promoteNode.decode(promotePayload(0, false), 'J');
    expect(args).toEqual({ nodeId: 0, switchover: false, graceful: false });
    expect(await errorOf(promoteNode.run(engine, args, actor))).toEqual(
      msg(
        '45 00 00 00 81',
        "SFATAL\0CXX000\0Minvalid promote request\0Dspecified node is already primary node, can't promote node id 0\0Fpcp_worker.c\0L1310\0\0",
      ),
    );
  });

  it('wrong password -> FATAL', () => {
    expect(
      errorPacket({
        severity: 'FATAL',
        message: 'authentication failed for user "postgres"',
        detail: 'username and/or password does not match',
        file: 'pcp_worker.c',
        line: 517,
      }),
    ).toEqual(
      msg(
        '45 00 00 00 7a',
        'SFATAL\0CXX000\0Mauthentication failed for user "postgres"\0Dusername and/or password does not match\0Fpcp_worker.c\0L517\0\0',
      ),
    );
  });

  it('watchdog off -> ERROR', async () => {
    const engine = createStateEngine({ backends: backendsFor([11002]) });
    const e = await errorOf(watchdogInfo.run(engine, { watchdogId: -1 }, actor));
    expect(e.subarray(5)).toEqual(
      msg(
        '',
        'SERROR\0CXX000\0MPCP: informing watchdog info failed\0Dwatchdog is not enabled\0Fpcp_worker.c\0L794\0\0',
      ),
    );
  });

  it('health check stats -n 0', async () => {
    const engine = createStateEngine({ backends: backendsFor([11002, 11003]) });
    engine.state.nodes[0]!.lastStatusChange = new Date(2026, 10, 21, 23, 56, 44);
    const at = new Date(2026, 10, 21, 23, 56, 54);
    engine.healthStats = [
      {
        nodeId: 0,
        totalCount: 3,
        successCount: 3,
        failCount: 0,
        skipCount: 0,
        retryCount: 0,
        averageRetryCount: 0,
        maxRetryCount: 0,
        maxDurationMs: 3,
        minDurationMs: 2,
        averageDurationMs: 7 / 3,
        lastHealthCheck: at,
        lastSuccessfulHealthCheck: at,
        lastSkipHealthCheck: null,
        lastFailedHealthCheck: null,
      },
    ];
    const out = healthCheckStats.encode(await healthCheckStats.run(engine, { nodeId: 0 }, actor));
    expect(Buffer.concat(out)).toEqual(
      msg(
        '68 00 00 00 91',
        'CommandComplete\0' +
          '0\0localhost\x0011002\0up\0primary\x002026-11-21 23:56:44\x003\x003\x000\x000\x000\x000.000000\x000\x003\x002\x002.333333\x002026-11-21 23:56:54\x002026-11-21 23:56:54\0\0\0',
      ),
    );
  });

  it('pool status ArraySize and a ProcessConfig record', () => {
    expect(arraySizeInt32('b', 152)).toEqual(
      msg('62 00 00 00 12', 'ArraySize\0', Buffer.from('00000098', 'hex')),
    );
    expect(
      stringsPacket(
        'b',
        processConfigStrings({ name: 'backend_clustering_mode', value: '1', description: 'clustering mode' }),
      ),
    ).toEqual(msg('62 00 00 00 3c', 'ProcessConfig\0backend_clustering_mode\x001\0clustering mode\0'));
  });

  it('proc info record of an idle slot', async () => {
    const start = new Date(2026, 10, 21, 23, 56, 49);
    const s = processInfoStrings({
      poolPid: 27823,
      startTime: start,
      clientConnectionCount: 0,
      poolId: 0,
      backendId: 0,
      database: '',
      username: '',
      backendConnectionTime: null,
      clientConnectionTime: null,
      clientDisconnectionTime: null,
      clientIdleDuration: 0,
      majorVersion: 0,
      minorVersion: 0,
      poolCounter: 0,
      backendPid: 0,
      connected: false,
      status: 'Wait for connection',
    });
    expect(cstrings(s)).toEqual(
      msg(
        '',
        'ProcessInfo\x0027823\x002026-11-21 23:56:49\x000\x000\x000\0\0\0\0\0\x000\x000\x000\x000\x000\x000\0Wait for connection\0',
      ),
    );
    const engine = createStateEngine({ backends: backendsFor([11002]) });
    engine.sessionList = [
      {
        poolPid: 27823,
        startTime: start,
        clientConnectionCount: 0,
        database: '',
        username: '',
        clientAddress: '',
        applicationName: '',
        backendConnectionTime: null,
        poolCounter: 0,
        status: 'Wait for connection',
        loadBalanceNode: 0,
      },
    ];
    const out = procInfo.encode(await procInfo.run(engine, { pid: 0 }, actor));
    expect(out[0]).toEqual(msg('70 00 00 00 10', 'ArraySize\0', '1\0'));
    expect(out[1]).toEqual(stringsPacket('p', s));
  });
});
