import { describe, expect, it } from 'vitest';
import { parseIp } from './cidr';
import { matchHba, type HbaRequest } from './hba-match';
import { parsePoolHba } from './pool-hba';

const FILE = '/etc/pgpool2/pool_hba.conf';
const rulesOf = (text: string) => {
  const r = parsePoolHba(text, FILE);
  expect(r.sink.all.map((d) => d.format())).toEqual([]);
  return r.rules;
};
const errorsOf = (text: string) => parsePoolHba(text, FILE).sink.errors.map((d) => d.format());
const host = (address: string, extra: Partial<HbaRequest> = {}): HbaRequest => ({
  type: 'host',
  ssl: false,
  database: 'app',
  user: 'alice',
  address,
  ...extra,
});

describe('pool_hba.conf parsing', () => {
  it('parses local and host records, comments, quotes, lists and options', () => {
    const rules = rulesOf(
      [
        '# TYPE DATABASE USER ADDRESS METHOD',
        'local   all        all                    trust',
        'host    app,"my db"  alice,bob  10.0.0.0/8   md5   # office',
        'hostssl all        all   2001:db8::/32      scram-sha-256',
        'host    all        all   192.168.1.7 255.255.255.0  ldap ldapserver=ldap.example.com ldapport=389',
        'hostnossl all      all   .example.com       reject',
        'host    all        all   samenet            password',
      ].join('\n'),
    );
    expect(
      rules.map((r) => [r.source.split(':').pop(), r.type, r.databases, r.users, r.address, r.method]),
    ).toEqual([
      ['2', 'local', ['all'], ['all'], null, 'trust'],
      [
        '3',
        'host',
        ['app', 'my db'],
        ['alice', 'bob'],
        { kind: 'cidr', network: '10.0.0.0', prefix: 8, family: 4 },
        'md5',
      ],
      [
        '4',
        'hostssl',
        ['all'],
        ['all'],
        { kind: 'cidr', network: '2001:db8::', prefix: 32, family: 6 },
        'scram-sha-256',
      ],
      [
        '5',
        'host',
        ['all'],
        ['all'],
        { kind: 'cidr', network: '192.168.1.0', prefix: 24, family: 4 },
        'ldap',
      ],
      ['6', 'hostnossl', ['all'], ['all'], { kind: 'hostname', name: '.example.com' }, 'reject'],
      ['7', 'host', ['all'], ['all'], { kind: 'samenet' }, 'password'],
    ]);
    expect(rules[3]!.options).toEqual({ ldapserver: 'ldap.example.com', ldapport: '389' });
  });

  it('reports each bad line as file:line: reason and keeps checking', () => {
    expect(
      errorsOf(
        [
          'hots all all 127.0.0.1/32 trust',
          'host all all 127.0.0.1 trust',
          'host all all 10.0.0.0/33 trust',
          'host all all 10.0.0.1 255.0.255.0 trust',
          'host all all 127.0.0.1/32 gss',
          'host all all 127.0.0.1/32 magic',
          'local all +admins trust',
          'local all all',
          'local "all all trust',
          'host all all 127.0.0.1/32 md5 novalue',
          'local all all trust',
        ].join('\n'),
      ),
    ).toEqual([
      `${FILE}:1: invalid connection type 'hots' (expected local, host, hostssl, hostnossl)`,
      `${FILE}:2: IP address '127.0.0.1' needs a prefix length (/32) or a netmask`,
      `${FILE}:3: invalid IP address/prefix '10.0.0.0/33'`,
      `${FILE}:4: invalid netmask '255.0.255.0'`,
      `${FILE}:5: authentication method 'gss' is not supported by pgpool`,
      `${FILE}:6: invalid authentication method 'magic' (expected trust, reject, md5, scram-sha-256, password, cert, pam, ldap)`,
      `${FILE}:7: user '+admins': group membership is not supported by pgpool`,
      `${FILE}:8: missing authentication method`,
      `${FILE}:9: unterminated quoted string`,
      `${FILE}:10: invalid authentication option 'novalue' (expected name=value)`,
    ]);
  });
});

describe('matchHba', () => {
  const rules = rulesOf(
    [
      'local all     all                 trust',
      'host  all     postgres 127.0.0.1/32 trust',
      'host  app     all   10.1.0.0/16   md5',
      'host  all     bob   10.0.0.0/8    reject',
      'host  all     all   10.0.0.0/8    scram-sha-256',
      'hostssl all   all   ::/0          cert',
      'host  sameuser all  fd00::/8      password',
    ].join('\n'),
  );
  const method = (req: HbaRequest) => matchHba(rules, req)?.method ?? null;

  it('first match wins, no fall-through', () => {
    expect(method(host('10.1.2.3'))).toBe('md5');
    expect(method(host('10.1.2.3', { user: 'bob' }))).toBe('md5');
    expect(method(host('10.2.0.1', { user: 'bob' }))).toBe('reject');
    expect(method(host('10.2.0.1'))).toBe('scram-sha-256');
  });

  it('matches connection type: local, host, hostssl only with SSL', () => {
    expect(method({ type: 'local', ssl: false, database: 'x', user: 'y' })).toBe('trust');
    expect(method(host('2001:db8::1'))).toBeNull();
    expect(method(host('2001:db8::1', { ssl: true }))).toBe('cert');
  });

  it('matches IPv4 CIDR, IPv4-mapped IPv6 peers, and IPv6 CIDR', () => {
    expect(method(host('127.0.0.1', { user: 'postgres' }))).toBe('trust');
    expect(method(host('::ffff:127.0.0.1', { user: 'postgres' }))).toBe('trust');
    expect(method(host('127.0.0.2', { user: 'postgres' }))).toBeNull();
    expect(method(host('fd12::5', { database: 'carol', user: 'carol' }))).toBe('password');
    expect(method(host('fd12::5', { database: 'app', user: 'carol' }))).toBeNull();
  });

  it('no match means reject (null)', () => {
    expect(method(host('192.168.0.1'))).toBeNull();
    expect(matchHba([], host('10.0.0.1'))).toBeNull();
  });

  it('samehost/samenet use the local interfaces; host names need verified client names', () => {
    const r = rulesOf(
      'host all all samehost trust\nhost all all samenet md5\nhost all all db.example.com password\nhost all all .example.org ldap',
    );
    const nets = () => ({ interfaces: [{ ip: parseIp('192.168.5.10')!, prefix: 24 }] });
    expect(matchHba(r, host('192.168.5.10'), nets)?.method).toBe('trust');
    expect(matchHba(r, host('192.168.5.77'), nets)?.method).toBe('md5');
    expect(matchHba(r, host('192.168.6.1', { hostnames: ['DB.example.com'] }), nets)?.method).toBe(
      'password',
    );
    expect(matchHba(r, host('192.168.6.1', { hostnames: ['a.b.example.org'] }), nets)?.method).toBe('ldap');
    expect(matchHba(r, host('192.168.6.1'), nets)).toBeNull();
  });
});
