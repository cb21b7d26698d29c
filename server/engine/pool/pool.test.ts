import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BackendConnection } from '../backend/connection';
import { silentLogger } from '../runtime/logger';
import { poolKey } from './key';
import { ConnectionPool } from './pool';

let nextPid = 1;
function fakeConn(nodeId = 0): BackendConnection & { closedBy: string | null } {
  const socket = Object.assign(new EventEmitter(), { resume: () => undefined });
  const c = {
    nodeId,
    pid: nextPid++,
    closed: false,
    closedBy: null as string | null,
    txStatus: 'I',
    socket,
    close() {
      c.closed = true;
      c.closedBy = 'close';
    },
    destroy() {
      c.closed = true;
      c.closedBy = 'destroy';
    },
  };
  return c as unknown as BackendConnection & { closedBy: string | null };
}

const trust = { method: 'trust' as const, password: null };

function pool(opts: Partial<ConstructorParameters<typeof ConnectionPool>[0]> = {}): ConnectionPool {
  return new ConnectionPool({
    enabled: true,
    maxPerNode: 2,
    lifeTimeSec: 0,
    resetQueries: [],
    logger: silentLogger,
    ...opts,
  });
}

describe('ConnectionPool', () => {
  it('evicts the connection idle the longest when a node is over num_init_children * max_pool', async () => {
    const p = pool();
    const [a, b, c] = [fakeConn(), fakeConn(), fakeConn()];
    await p.release('k', a, trust, 0);
    await p.release('k', b, trust, 0);
    await p.release('k', c, trust, 0);
    expect(a.closedBy).toBe('close');
    expect(p.size(0)).toBe(2);
    // newest first, only for the same key
    expect(p.take('other', 0)).toBeNull();
    expect(p.take('k', 0)?.conn).toBe(c);
    expect(p.take('k', 0)?.conn).toBe(b);
    expect(p.take('k', 0)).toBeNull();
    expect(p.hits).toBe(2);
  });

  it('connection_life_time closes cached connections idle that long (injectable clock)', async () => {
    let now = 1_000_000;
    const p = pool({ lifeTimeSec: 10, now: () => now });
    const a = fakeConn();
    await p.release('k', a, trust, 0);
    now += 9_000;
    p.reap();
    expect(a.closed).toBe(false);
    now += 2_000;
    p.reap();
    expect(a.closedBy).toBe('close');
    expect(p.size()).toBe(0);
    p.stop();
  });

  it('drops a cached connection the server closed (pg_terminate_backend) without fuss', async () => {
    const p = pool();
    const a = fakeConn();
    await p.release('k', a, trust, 0);
    a.socket.emit('close');
    expect(p.size()).toBe(0);
    expect(a.closedBy).toBe('destroy');
  });

  it('connection_cache = off closes instead of caching', async () => {
    const p = pool({ enabled: false });
    const a = fakeConn();
    await p.release('k', a, trust, 0);
    expect(a.closedBy).toBe('close');
    expect(p.size()).toBe(0);
  });

  it('keys on user, database and the other startup parameters, in any order', () => {
    const k1 = poolKey(
      'u',
      'd',
      new Map([
        ['application_name', 'x'],
        ['client_encoding', 'UTF8'],
      ]),
    );
    const k2 = poolKey(
      'u',
      'd',
      new Map([
        ['client_encoding', 'UTF8'],
        ['application_name', 'x'],
      ]),
    );
    expect(k1).toBe(k2);
    expect(poolKey('u', 'd', new Map([['application_name', 'y']]))).not.toBe(poolKey('u', 'd', new Map()));
  });
});
