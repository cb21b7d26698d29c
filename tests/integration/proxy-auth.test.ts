import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePoolHba } from '../../server/engine/config/pool-hba';
import type { PoolPasswdEntry } from '../../server/engine/config/types';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { makeTestCerts, type TestCerts } from '../helpers/proxy-tls';

const run = promisify(execFile);

const USERS = [
  { name: 'alice', password: 'alice-pw' },
  { name: 'bob', password: 'bob-pw' },
  { name: 'carol', password: 'carol-pw' },
  { name: 'dave', password: 'dave-pw' },
  { name: 'eve', password: 'eve-pw' },
  { name: 'frank', password: 'frank-pw' },
];

const HBA = `
host all alice 127.0.0.1/32 password
host all bob   127.0.0.1/32 md5
host all carol 127.0.0.1/32 scram-sha-256
host all dave  127.0.0.1/32 trust
host all eve   127.0.0.1/32 reject
host all postgres 127.0.0.1/32 trust
`;

const poolPasswd = new Map<string, PoolPasswdEntry>(
  USERS.map((u) => [u.name, { kind: 'plain', password: u.password }]),
);

async function tryConnect(
  port: number,
  user: string,
  password: string,
  ssl?: pg.ClientConfig['ssl'],
): Promise<string> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres', ssl });
  try {
    await c.connect();
    const r = await c.query<{ u: string }>('SELECT current_user AS u');
    return `ok:${r.rows[0]!.u}`;
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code ?? 'nocode'}:${err.message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('proxy: client authentication', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1, auth: 'scram-sha-256', users: USERS });
  let hbaProxy: TestProxy;
  let relayProxy: TestProxy;
  let certs: TestCerts;
  beforeAll(async () => {
    certs = makeTestCerts();
    const { rules } = parsePoolHba(HBA, 'pool_hba.conf');
    hbaProxy = await startTestProxy(
      pgc.cluster,
      {
        enable_pool_hba: true,
        ssl: true,
        ssl_cert: certs.serverCert,
        ssl_key: certs.serverKey,
        ssl_ca_cert: certs.caCert,
      },
      { hba: rules, poolPasswd },
    );
    relayProxy = await startTestProxy(pgc.cluster, { enable_pool_hba: false });
  });
  afterAll(async () => {
    await hbaProxy?.stop();
    await relayProxy?.stop();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  for (const [user, method] of [
    ['alice', 'password'],
    ['bob', 'md5'],
    ['carol', 'scram-sha-256'],
  ] as const) {
    it(`pool_hba ${method}: right password passes, wrong one fails with 28P01`, async () => {
      const pw = USERS.find((u) => u.name === user)!.password;
      expect(await tryConnect(hbaProxy.port, user, pw)).toBe(`ok:${user}`);
      expect(await tryConnect(hbaProxy.port, user, 'wrong')).toBe(
        `28P01:password authentication failed for user "${user}"`,
      );
    });
  }

  it('pool_hba trust passes without a password; reject and no-match refuse with 28000', async () => {
    expect(await tryConnect(hbaProxy.port, 'dave', '')).toBe('ok:dave');
    expect(await tryConnect(hbaProxy.port, 'eve', 'eve-pw')).toMatch(
      /^28000:pool_hba.conf rejects connection/,
    );
    expect(await tryConnect(hbaProxy.port, 'frank', 'frank-pw')).toBe(
      '28000:no pool_hba.conf entry for host "127.0.0.1", user "frank", database "postgres"',
    );
  });

  it('enable_pool_hba=off relays the backend SCRAM exchange (right and wrong password)', async () => {
    expect(await tryConnect(relayProxy.port, 'carol', 'carol-pw')).toBe('ok:carol');
    expect(await tryConnect(relayProxy.port, 'carol', 'nope')).toBe(
      '28P01:password authentication failed for user "carol"',
    );
    // A second connection reuses the cached backend: pgwarden cannot ask PostgreSQL, so it must not let it through.
    expect(await tryConnect(relayProxy.port, 'carol', 'nope')).toMatch(/^28P01:/);
  });

  it('TLS: sslmode=require and verify-ca work, verify-ca with another CA fails', async () => {
    const env = { ...process.env, PGPASSWORD: 'carol-pw', PGCONNECT_TIMEOUT: '10' };
    const base = `host=127.0.0.1 port=${hbaProxy.port} user=carol dbname=postgres`;
    const req = await run('psql', ['-X', '-At', '-c', 'SELECT 42', `${base} sslmode=require`], { env });
    expect(req.stdout.trim()).toBe('42');
    const ca = await run(
      'psql',
      ['-X', '-At', '-c', 'SELECT 43', `${base} sslmode=verify-ca sslrootcert=${certs.caCert}`],
      { env },
    );
    expect(ca.stdout.trim()).toBe('43');
    const bad = await run(
      'psql',
      ['-X', '-At', '-c', 'SELECT 1', `${base} sslmode=verify-ca sslrootcert=${certs.otherCaCert}`],
      {
        env,
      },
    ).catch((e: { stderr: string }) => e);
    expect((bad as { stderr: string }).stderr).toMatch(/certificate verify failed/);
    const viaPg = await tryConnect(hbaProxy.port, 'carol', 'carol-pw', {
      ca: readFileSync(certs.caCert),
      rejectUnauthorized: true,
    });
    expect(viaPg).toBe('ok:carol');
    // ssl_ca_cert: a client certificate signed by the CA is accepted, one from a stranger CA is refused.
    const withCert = await tryConnect(hbaProxy.port, 'carol', 'carol-pw', {
      ca: readFileSync(certs.caCert),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    });
    expect(withCert, withCert).toBe('ok:carol');
    const stranger = await tryConnect(hbaProxy.port, 'carol', 'carol-pw', {
      ca: readFileSync(certs.caCert),
      cert: readFileSync(certs.strangerCert),
      key: readFileSync(certs.strangerKey),
    });
    expect(stranger).toMatch(/^28000:could not accept SSL connection: certificate verify failed/);
    // Without TLS configured on the relay proxy, sslmode=require is refused ('N' answer).
    const noTls = await run(
      'psql',
      [
        '-X',
        '-At',
        '-c',
        'SELECT 1',
        `host=127.0.0.1 port=${relayProxy.port} user=carol dbname=postgres sslmode=require`,
      ],
      {
        env,
      },
    ).catch((e: { stderr: string }) => e);
    expect((noTls as { stderr: string }).stderr).toMatch(/does not support SSL/);
  });
});
