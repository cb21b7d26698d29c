import { describe, expect, it } from 'vitest';
import { MAX_INCLUDE_DEPTH, parsePgpoolConf, splitIndexedName } from './pgpool-conf-parser';

const parse = (text: string, files: Record<string, string> = {}) =>
  parsePgpoolConf(text, '/etc/pg/pgpool.conf', {
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw new Error('ENOENT: no such file');
      return t;
    },
  });
const one = (text: string) => {
  const r = parse(text);
  expect(r.sink.all.map((d) => d.format())).toEqual([]);
  expect(r.assignments).toHaveLength(1);
  return r.assignments[0]!;
};
const errors = (text: string) => parse(text).sink.errors.map((d) => d.format());

describe('pgpool.conf syntax', () => {
  it('reads name = value with and without the equals sign', () => {
    expect(one('port = 5432')).toMatchObject({ key: 'port', value: '5432', token: 'integer', line: 1 });
    expect(one('port 5432')).toMatchObject({ key: 'port', value: '5432' });
    expect(one('port=5432')).toMatchObject({ key: 'port', value: '5432' });
  });

  it('ignores comments, blank lines and CR/tab whitespace, and counts lines', () => {
    const r = parse("# a comment\n\n\tport = 1 # trailing\r\n  \nlisten_addresses = '*' # x\n");
    expect(r.assignments.map((a) => [a.key, a.value, a.line])).toEqual([
      ['port', '1', 3],
      ['listen_addresses', '*', 5],
    ]);
  });

  it('keeps a # inside quotes and strips only the outer quotes, backslashes verbatim', () => {
    expect(one("failover_command = '/bin/fo %d # not a comment'").value).toBe('/bin/fo %d # not a comment');
    expect(one("x = 'a\\'b\\\\n'").value).toBe("a\\'b\\\\n");
    expect(one("x = ''").value).toBe('');
  });

  it("rejects '' inside quotes like pgpool (two adjacent strings)", () => {
    expect(errors("recovery_user = 'it''s'")).toEqual([
      "/etc/pg/pgpool.conf:1: recovery_user: syntax error: unexpected ''s'' after the value (a quoted value cannot contain a raw quote: pgpool does not accept '' inside quotes)",
    ]);
  });

  it('reports an unterminated string and a missing value with file:line', () => {
    expect(errors("\nport = '5432")).toEqual([
      '/etc/pg/pgpool.conf:2: port: syntax error: unterminated quoted string',
    ]);
    expect(errors('port =')).toEqual(['/etc/pg/pgpool.conf:1: port: syntax error: missing value']);
    expect(errors('= 5')).toEqual([
      "/etc/pg/pgpool.conf:1: syntax error: expected a parameter name, found '='",
    ]);
  });

  it('lexes unquoted words, integers with units, hex and reals', () => {
    expect(one('sr_check_user = postgres')).toMatchObject({ value: 'postgres', token: 'unquoted' });
    expect(one('logdir = var/log-x.d:1')).toMatchObject({ value: 'var/log-x.d:1', token: 'unquoted' });
    expect(one('child_life_time = 5min')).toMatchObject({ value: '5min', token: 'integer' });
    expect(one('memqcache_total_size = 1GB')).toMatchObject({ value: '1GB', token: 'integer' });
    expect(one('x = 0x1F')).toMatchObject({ value: '0x1F', token: 'integer' });
    expect(one('x = -12')).toMatchObject({ value: '-12', token: 'integer' });
    expect(one('backend_weight0 = 0.5')).toMatchObject({ value: '0.5', token: 'real' });
    expect(one('x = 1.5e3')).toMatchObject({ value: '1.5e3', token: 'real' });
  });

  it('rejects an unquoted IP address, as pgpool does, with a hint to quote it', () => {
    expect(errors('backend_hostname0 = 192.168.0.10')).toEqual([
      "/etc/pg/pgpool.conf:1: backend_hostname0: syntax error: unexpected '.0' after the value (quote the value)",
    ]);
  });

  it('rejects characters outside the grammar', () => {
    expect(errors('listen_addresses = *')).toEqual([
      "/etc/pg/pgpool.conf:1: listen_addresses: syntax error: unexpected character '*'",
    ]);
  });

  it('keeps names case-sensitive and keeps every assignment in order (later wins downstream)', () => {
    const r = parse('Port = 1\nport = 2\nport = 3');
    expect(r.assignments.map((a) => `${a.key}=${a.value}@${a.line}`)).toEqual([
      'Port=1@1',
      'port=2@2',
      'port=3@3',
    ]);
  });

  it('accepts non-ASCII letters in names like pgpool (bytes \\200-\\377)', () => {
    expect(one('näme = 1').key).toBe('näme');
  });

  it('includes files relative to the including file, remembering their own file:line', () => {
    const r = parse("port = 1\ninclude 'sub/extra.conf'\npcp_port = 3", {
      '/etc/pg/sub/extra.conf': "# extra\nport = 2\ninclude = '../last.conf'",
      '/etc/pg/last.conf': "socket_dir = '/tmp'",
    });
    expect(r.sink.all).toEqual([]);
    expect(r.assignments.map((a) => `${a.file}:${a.line}:${a.key}`)).toEqual([
      '/etc/pg/pgpool.conf:1:port',
      '/etc/pg/sub/extra.conf:2:port',
      '/etc/pg/last.conf:1:socket_dir',
      '/etc/pg/pgpool.conf:3:pcp_port',
    ]);
  });

  it('reports a missing include and stops nesting after 10 levels', () => {
    expect(errors("include 'nope.conf'")).toEqual([
      "/etc/pg/pgpool.conf:1: include: could not open '/etc/pg/nope.conf': ENOENT: no such file",
    ]);
    const loop = parse("include 'pgpool.conf'", { '/etc/pg/pgpool.conf': "include 'pgpool.conf'" });
    expect(loop.sink.errors).toHaveLength(1);
    expect(loop.sink.errors[0]!.format()).toContain(`nesting depth exceeds ${MAX_INCLUDE_DEPTH}`);
    // Exactly 10 nested levels are fine.
    const files: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      files[`/etc/pg/f${i}.conf`] = i < 10 ? `include 'f${i + 1}.conf'` : 'port = 10';
    const deep = parse("include 'f1.conf'", files);
    expect(deep.sink.all).toEqual([]);
    expect(deep.assignments[0]!.file).toBe('/etc/pg/f10.conf');
  });

  it('splits array parameter names into base and node number', () => {
    expect(splitIndexedName('backend_hostname0')).toEqual({ base: 'backend_hostname', index: 0 });
    expect(splitIndexedName('health_check_period12')).toEqual({ base: 'health_check_period', index: 12 });
    expect(splitIndexedName('recovery_1st_stage_command')).toBeNull();
    expect(splitIndexedName('port')).toBeNull();
  });
});
