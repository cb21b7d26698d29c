/**
 * pool_passwd (reference §8.2): `username:password` where the password is `md5<32 hex>` (exactly 35 characters,
 * else plain text), `AES<base64>` (pg_enc), `TEXT<plain>`, `SCRAM-SHA-256$...`, or plain text.
 *
 * AES entries are decrypted as pgpool does (`src/utils/ssl_utils.c`): AES-256-CBC with key and IV derived by
 * OpenSSL's EVP_BytesToKey(SHA-1, no salt, 1 round) from the key read from `~/.pgpoolkey`, `$PGPOOLKEYFILE` or
 * `-k`: the first non-empty line, trailing newline removed. Without a key, entries stay encrypted (password null)
 * with a warning, and only auth methods that do not need the clear text can use them.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { DiagnosticSink } from './diagnostics';
import type { PoolPasswdEntry } from './types';

/** EVP_BytesToKey(aes-256-cbc, sha1, salt = NULL, count = 1): D_i = SHA1(D_{i-1} || password). */
export function poolKeyToAes(key: string): { key: Buffer; iv: Buffer } {
  const pass = Buffer.from(key, 'utf8');
  let out = Buffer.alloc(0);
  let prev = Buffer.alloc(0);
  while (out.length < 48) {
    prev = createHash('sha1')
      .update(Buffer.concat([prev, pass]))
      .digest();
    out = Buffer.concat([out, prev]);
  }
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48) };
}

/** Decrypts the base64 text after `AES`; null when the key is wrong or the text is not pg_enc output. */
export function decryptAesPassword(base64: string, poolKey: string): string | null {
  try {
    const { key, iv } = poolKeyToAes(poolKey);
    const d = createDecipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([d.update(Buffer.from(base64, 'base64')), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Inverse of decryptAesPassword, as `pg_enc` prints it after `AES` (for tests and tooling). */
export function encryptAesPassword(password: string, poolKey: string): string {
  const { key, iv } = poolKeyToAes(poolKey);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([c.update(password, 'utf8'), c.final()]).toString('base64');
}

/** The pool key file's content as pgpool reads it: first non-empty line without its newline. */
export function readPoolKey(text: string): string | null {
  for (const line of text.split('\n')) if (line !== '') return line;
  return null;
}

export function classifyPoolPasswd(password: string, poolKey: string | null): PoolPasswdEntry {
  if (password.startsWith('md5') && password.length === 35 && /^[0-9a-fA-F]{32}$/.test(password.slice(3))) {
    return { kind: 'md5', hash: password };
  }
  if (password.startsWith('AES')) {
    const encrypted = password.slice(3);
    return {
      kind: 'aes',
      encrypted,
      password: poolKey === null ? null : decryptAesPassword(encrypted, poolKey),
    };
  }
  if (password.startsWith('TEXT')) return { kind: 'plain', password: password.slice(4) };
  if (password.startsWith('SCRAM-SHA-256$')) return { kind: 'scram', verifier: password };
  return { kind: 'plain', password };
}

export function parsePoolPasswd(
  text: string,
  file: string,
  poolKey: string | null,
  keySource = 'the pool key file',
): { entries: Map<string, PoolPasswdEntry>; sink: DiagnosticSink } {
  const sink = new DiagnosticSink();
  const entries = new Map<string, PoolPasswdEntry>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      sink.error(file, i + 1, undefined, "invalid entry: expected 'username:password'");
      return;
    }
    const user = line.slice(0, colon);
    const entry = classifyPoolPasswd(line.slice(colon + 1), poolKey);
    if (entry.kind === 'aes' && entry.password === null) {
      sink.warn(
        file,
        i + 1,
        user,
        poolKey === null
          ? `AES-encrypted password but no key (${keySource} not found): usable only where the clear text is not needed`
          : `AES-encrypted password cannot be decrypted with ${keySource} (wrong key?)`,
      );
    }
    entries.set(user, entry);
  });
  return { entries, sink };
}
