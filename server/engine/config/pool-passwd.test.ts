import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPcpConf, loadPoolPasswd } from './index';
import { parsePcpConf } from './pcp-conf';
import { decryptAesPassword, encryptAesPassword, parsePoolPasswd } from './pool-passwd';

// Produced by the real Debian tool: `pg_enc -K secretkey hunter2` prints AESZBMdKmiIdI4jQ4OzffYgrQ==.
const PG_ENC_VECTOR = { key: 'secretkey', password: 'hunter2', base64: 'ZBMdKmiIdI4jQ4OzffYgrQ==' };

describe('pool_passwd', () => {
  const text = [
    'md5user:md5' + 'a'.repeat(32),
    'shortmd5:md5abc',
    `aesuser:AES${PG_ENC_VECTOR.base64}`,
    'textuser:TEXTs3cret',
    'scramuser:SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy',
    'plainuser:pa:ss',
    '',
  ].join('\n');

  it('classifies md5, AES, TEXT, SCRAM and plain entries (md5 needs exactly 35 characters)', () => {
    const { entries, sink } = parsePoolPasswd(text, '/x/pool_passwd', PG_ENC_VECTOR.key);
    expect(sink.all).toEqual([]);
    expect(Object.fromEntries(entries)).toEqual({
      md5user: { kind: 'md5', hash: 'md5' + 'a'.repeat(32) },
      shortmd5: { kind: 'plain', password: 'md5abc' },
      aesuser: { kind: 'aes', encrypted: PG_ENC_VECTOR.base64, password: 'hunter2' },
      textuser: { kind: 'plain', password: 's3cret' },
      scramuser: { kind: 'scram', verifier: 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy' },
      plainuser: { kind: 'plain', password: 'pa:ss' },
    });
  });

  it('decrypts what pg_enc encrypts (AES-256-CBC, EVP_BytesToKey SHA-1) and round-trips', () => {
    expect(decryptAesPassword(PG_ENC_VECTOR.base64, PG_ENC_VECTOR.key)).toBe('hunter2');
    expect(encryptAesPassword('hunter2', 'secretkey')).toBe(PG_ENC_VECTOR.base64);
    expect(decryptAesPassword(PG_ENC_VECTOR.base64, 'wrongkey')).not.toBe('hunter2');
  });

  it('without a key AES entries stay encrypted, with a warning naming file:line', () => {
    const { entries, sink } = parsePoolPasswd(
      `aesuser:AES${PG_ENC_VECTOR.base64}\nbad line\n`,
      '/x/pool_passwd',
      null,
      '/home/u/.pgpoolkey',
    );
    expect(entries.get('aesuser')).toEqual({ kind: 'aes', encrypted: PG_ENC_VECTOR.base64, password: null });
    expect(sink.all.map((d) => d.format())).toEqual([
      '/x/pool_passwd:1: aesuser: AES-encrypted password but no key (/home/u/.pgpoolkey not found): usable only where the clear text is not needed',
      "/x/pool_passwd:2: invalid entry: expected 'username:password'",
    ]);
  });

  it('loadPoolPasswd reads the key from PGPOOLKEYFILE (first line, newline stripped)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgwarden-pp-'));
    writeFileSync(join(dir, 'key'), 'secretkey\nignored\n', { mode: 0o600 });
    writeFileSync(join(dir, 'pool_passwd'), `aesuser:AES${PG_ENC_VECTOR.base64}\n`);
    const r = loadPoolPasswd(join(dir, 'pool_passwd'), {
      env: { PGPOOLKEYFILE: join(dir, 'key'), HOME: dir },
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.entries.get('aesuser')).toMatchObject({ password: 'hunter2' });
    const noKey = loadPoolPasswd(join(dir, 'pool_passwd'), { env: { HOME: dir } });
    expect(noKey.warnings.map((d) => d.message)[0]).toMatch(/no key/);
  });
});

describe('pcp.conf', () => {
  it('reads user:md5hex lines and reports bad lines with file:line', () => {
    const { users, sink } = parsePcpConf(
      [
        '# USERID:MD5PASSWD',
        'pgpool2:1a1dc91c907325c69271ddf0c944bc72',
        'admin:md51a1dc91c907325c69271ddf0c944bc72',
        'nopass',
        'pgpool2:' + 'b'.repeat(32),
      ].join('\n'),
      '/etc/pgpool2/pcp.conf',
    );
    expect(users).toEqual([{ user: 'pgpool2', md5: '1a1dc91c907325c69271ddf0c944bc72' }]);
    expect(sink.all.map((d) => d.format())).toEqual([
      '/etc/pgpool2/pcp.conf:3: admin: invalid password hash: expected 32 hex digits (drop the md5 prefix)',
      "/etc/pgpool2/pcp.conf:4: invalid entry: expected 'username:md5 hex of the password'",
      '/etc/pgpool2/pcp.conf:5: pgpool2: duplicate user: the first entry is used',
    ]);
  });

  it("loads Debian's /etc/pgpool2/pcp.conf (comments only) and reports a missing file", () => {
    expect(loadPcpConf('/etc/pgpool2/pcp.conf').errors).toEqual([]);
    expect(loadPcpConf('/nonexistent/pcp.conf').errors.map((d) => d.format())).toEqual([
      '/nonexistent/pcp.conf: could not read pcp.conf: file not found',
    ]);
  });
});
