import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

const run = promisify(execFile);

describe('proxy: relay basics', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('runs simple and parameterised queries through node-postgres', async () => {
    const c = await tp.client();
    try {
      const r = await c.query('SELECT 1 AS one');
      expect(r.rows).toEqual([{ one: 1 }]);
      const p = await c.query('SELECT $1::int + $2::int AS s, $3::text AS t', [2, 3, 'héllo']);
      expect(p.rows).toEqual([{ s: 5, t: 'héllo' }]);
      await expect(c.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
      const again = await c.query({ text: 'SELECT $1::int AS x', values: [7], name: 'named1' });
      expect(again.rows[0].x).toBe(7);
      const again2 = await c.query({ text: 'SELECT $1::int AS x', values: [8], name: 'named1' });
      expect(again2.rows[0].x).toBe(8);
    } finally {
      await c.end();
    }
  });

  it('pipelines 1,000 queries without awaiting each', async () => {
    const c = await tp.client();
    try {
      const ps = Array.from({ length: 1000 }, (_, i) => c.query<{ i: number }>('SELECT $1::int AS i', [i]));
      const rs = await Promise.all(ps);
      expect(rs.map((r) => r.rows[0]!.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    } finally {
      await c.end();
    }
  });

  it('psql catalogue commands and COPY in/out work', async () => {
    const env = { ...process.env, PGCONNECT_TIMEOUT: '10' };
    const url = tp.url();
    const d = await run('psql', [url, '-X', '-c', '\\d', '-c', '\\dt pg_catalog.pg_class', '-c', '\\l'], {
      env,
    });
    expect(d.stdout).toContain('pg_class');
    await run(
      'psql',
      [
        url,
        '-X',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        'DROP TABLE IF EXISTS copy_t; CREATE TABLE copy_t (a int, b text)',
      ],
      { env },
    );
    const input = Array.from({ length: 5000 }, (_, i) => `${i}\trow ${i}`).join('\n') + '\n';
    const child = execFile('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-c', 'COPY copy_t FROM STDIN'], {
      env,
    });
    child.stdin!.end(input);
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    const out = await run('psql', [url, '-X', '-c', 'COPY (SELECT * FROM copy_t ORDER BY a) TO STDOUT'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(out.stdout).toBe(input);
  });

  it('cancels a running pg_sleep within a second (57014)', async () => {
    const c = await tp.client();
    try {
      const started = Date.now();
      const q = c.query('SELECT pg_sleep(30)');
      await new Promise((r) => setTimeout(r, 300));
      // node-postgres' own cancel: a new connection sending CancelRequest with the key pgwarden gave this client.
      const canceller = new pg.Client({
        host: '127.0.0.1',
        port: tp.port,
        user: 'postgres',
        database: 'postgres',
      });
      const conn = (
        canceller as unknown as {
          connection: {
            cancel: (pid: number, key: number) => void;
            connect: (p: number, h: string) => void;
            once: (e: string, f: () => void) => void;
            end: () => void;
          };
        }
      ).connection;
      const cc = c as unknown as { processID: number; secretKey: number };
      await new Promise<void>((resolve) => {
        conn.once('connect', () => {
          conn.cancel(cc.processID, cc.secretKey);
          resolve();
        });
        conn.connect(tp.port, '127.0.0.1');
      });
      await expect(q).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(1500);
      const r = await c.query('SELECT 2 AS two');
      expect(r.rows[0].two).toBe(2);
    } finally {
      await c.end();
    }
  });

  it('delivers LISTEN/NOTIFY', async () => {
    const a = await tp.client();
    const b = await tp.client();
    try {
      await a.query('LISTEN chan1');
      const got = new Promise<pg.Notification>((r) => a.once('notification', r));
      await b.query("NOTIFY chan1, 'hello'");
      const n = await got;
      expect(n.channel).toBe('chan1');
      expect(n.payload).toBe('hello');
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('round-trips a 100 MB bytea', async () => {
    const c = await tp.client();
    try {
      await c.query('DROP TABLE IF EXISTS big_t; CREATE TABLE big_t (b bytea)');
      const data = Buffer.alloc(100 * 1024 * 1024);
      for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
      await c.query('INSERT INTO big_t VALUES ($1)', [data]);
      const r = await c.query('SELECT b FROM big_t');
      expect((r.rows[0].b as Buffer).equals(data)).toBe(true);
    } finally {
      await c.end();
    }
  }, 120_000);
});
