// Hostile input for the proxy, built from the codec's serializers and then damaged (never hand-typed bytes).
import net from 'node:net';
import * as be from '../../server/engine/protocol/backend-builders';
import * as fe from '../../server/engine/protocol/frontend-builders';
import { PROTOCOL_3_0 } from '../../server/engine/protocol/constants';

export interface GarbageCase {
  name: string;
  /** Send a valid startup first (trust auth) and wait for ReadyForQuery before the garbage. */
  afterStartup: boolean;
  bytes: Buffer;
}

function withLength(msg: Buffer, length: number, typed = true): Buffer {
  const b = Buffer.from(msg);
  b.writeInt32BE(length, typed ? 1 : 0);
  return b;
}

function rand(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

export function garbageCases(seed: number): GarbageCase[] {
  const startup = fe.startupMessage({ user: 'postgres', database: 'postgres' });
  const cases: GarbageCase[] = [
    { name: 'random bytes as startup', afterStartup: false, bytes: rand(1 + (seed % 300), seed) },
    { name: 'startup claims 1 GB', afterStartup: false, bytes: withLength(startup, 0x40000000, false) },
    { name: 'startup length below 8', afterStartup: false, bytes: withLength(startup, 3, false) },
    {
      name: 'truncated startup',
      afterStartup: false,
      bytes: startup.subarray(0, Math.max(1, seed % startup.length)),
    },
    { name: 'protocol 2.0', afterStartup: false, bytes: fe.startupMessage({ user: 'postgres' }, 2 << 16) },
    { name: 'protocol 4.0', afterStartup: false, bytes: fe.startupMessage({ user: 'postgres' }, 4 << 16) },
    {
      name: 'startup without terminator',
      afterStartup: false,
      bytes: withLength(startup.subarray(0, startup.length - 1), startup.length - 1, false),
    },
    {
      name: 'startup without user',
      afterStartup: false,
      bytes: fe.startupMessage({ database: 'postgres' }, PROTOCOL_3_0),
    },
    {
      name: 'garbage after SSLRequest',
      afterStartup: false,
      bytes: Buffer.concat([fe.sslRequest(), rand(40, seed)]),
    },
    { name: 'backend message from a client', afterStartup: false, bytes: be.readyForQuery('I') },
    {
      name: 'unknown message type',
      afterStartup: true,
      bytes: Buffer.concat([Buffer.from([0x7a + (seed % 5)]), rand(4, seed), rand(20, seed + 1)]),
    },
    { name: 'query claims 1 GB', afterStartup: true, bytes: withLength(fe.query('SELECT 1'), 0x40000000) },
    { name: 'query length below 4', afterStartup: true, bytes: withLength(fe.query('SELECT 1'), 2) },
    {
      name: 'sync with a body',
      afterStartup: true,
      bytes: withLength(Buffer.concat([fe.sync(), rand(8, seed)]), 12),
    },
    {
      name: 'describe with bad subtype',
      afterStartup: true,
      bytes: Buffer.concat([fe.describe('S', 'x').fill(0x5a, 5, 6), fe.sync()]),
    },
    {
      name: 'bind to an unknown statement',
      afterStartup: true,
      bytes: Buffer.concat([fe.bind('', 'nope' + seed, ['1']), fe.execute(), fe.sync()]),
    },
    {
      name: 'parse without terminator',
      afterStartup: true,
      bytes: Buffer.concat([withLength(fe.parse('', 'SELECT 1').subarray(0, 10), 9), fe.sync()]),
    },
    {
      name: 'truncated message then close',
      afterStartup: true,
      bytes: fe.query('SELECT pg_sleep(0)').subarray(0, 7),
    },
    { name: 'password message after startup', afterStartup: true, bytes: fe.passwordMessage('x') },
    { name: 'random bytes after startup', afterStartup: true, bytes: rand(1 + (seed % 500), seed + 7) },
  ];
  return cases;
}

/** Connects, optionally completes a trust startup, sends the garbage, and waits for the server to close (bounded). */
export function sendGarbage(port: number, c: GarbageCase, timeoutMs = 5000): Promise<'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    let sent = false;
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const finish = (r: 'closed' | 'timeout'): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    s.on('error', () => finish('closed'));
    s.on('close', () => finish('closed'));
    s.on('connect', () => {
      if (c.afterStartup) s.write(fe.startupMessage({ user: 'postgres', database: 'postgres' }));
      else {
        sent = true;
        s.end(c.bytes);
      }
    });
    s.on('data', (d: Buffer) => {
      if (sent) return;
      got = Buffer.concat([got, d]);
      // ReadyForQuery ('Z', length 5, status) ends the start-up answer.
      if (got.length >= 6 && got[got.length - 6] === 0x5a) {
        sent = true;
        s.end(c.bytes);
      }
    });
  });
}

/** A client that sends its startup packet one byte at a time, slower than authentication_timeout allows. */
export function slowLoris(port: number, intervalMs: number, maxMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect({ host: '127.0.0.1', port });
    const pkt = fe.startupMessage({ user: 'postgres', database: 'postgres' });
    let i = 0;
    const timer = setInterval(() => {
      if (i < pkt.length - 1) s.write(pkt.subarray(i, i + 1));
      i++;
    }, intervalMs);
    const done = (): void => {
      clearInterval(timer);
      clearTimeout(limit);
      s.destroy();
      resolve(Date.now() - started);
    };
    const limit = setTimeout(done, maxMs);
    s.on('close', done);
    s.on('error', done);
  });
}
