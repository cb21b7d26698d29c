/**
 * pgwarden verifying a client's password itself (pool_hba methods password, md5, scram-sha-256; reference §8.1)
 * against a pool_passwd entry (§8.2). Each function runs the exchange on the client socket and resolves true/false;
 * the caller turns false into PostgreSQL's FATAL 28P01 wording.
 */
import { randomBytes } from 'node:crypto';
import type { PoolPasswdEntry } from '../../config/types';
import {
  authenticationCleartextPassword,
  authenticationMD5Password,
  authenticationSASL,
  authenticationSASLContinue,
  authenticationSASLFinal,
} from '../../protocol/backend-builders';
import { FrontendType } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/frame-scanner';
import { MessageReader } from '../../protocol/writer';
import type { SocketReader } from '../socket-reader';
import {
  deriveScramKeys,
  md5Entry,
  md5FromEntry,
  parseScramVerifier,
  safeEqual,
  scramSecretFromPassword,
} from './crypto';
import { ScramError, ScramServer } from './scram';

export class AuthFailure extends Error {
  constructor(
    message: string,
    readonly sqlState: string = '28P01',
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

export function passwordFailed(user: string): AuthFailure {
  return new AuthFailure(`password authentication failed for user "${user}"`, '28P01');
}

/** The usable cleartext of an entry, if any (plain, or AES decrypted at load). */
export function plainOf(entry: PoolPasswdEntry | undefined): string | null {
  if (!entry) return null;
  if (entry.kind === 'plain') return entry.password;
  if (entry.kind === 'aes') return entry.password;
  return null;
}

async function readPassword(reader: SocketReader): Promise<Buffer> {
  const msg = await reader.readMessage();
  if (msg[0] !== FrontendType.Password)
    throw new ProtocolError(`expected password response, got message type ${msg[0]}`);
  return msg.subarray(5);
}

function cstr(body: Buffer): string {
  const nul = body.indexOf(0);
  return body.toString('utf8', 0, nul < 0 ? body.length : nul);
}

/** Does `password` match the stored entry? (Used for cleartext password auth and pool reuse checks.) */
export function passwordMatches(
  user: string,
  password: string,
  entry: PoolPasswdEntry | undefined,
): boolean | null {
  if (!entry) return null;
  const plain = plainOf(entry);
  if (plain !== null) return safeEqual(Buffer.from(plain), Buffer.from(password));
  if (entry.kind === 'md5') return md5Entry(user, password) === entry.hash;
  if (entry.kind === 'scram') {
    const s = parseScramVerifier(entry.verifier);
    if (!s) return false;
    return safeEqual(deriveScramKeys(password, s.salt, s.iterations).storedKey, s.storedKey);
  }
  return null;
}

/** AuthenticationCleartextPassword; resolves with the password the client sent. */
export async function askCleartext(reader: SocketReader): Promise<string> {
  reader.socket.write(authenticationCleartextPassword());
  return cstr(await readPassword(reader));
}

/** md5 challenge with a fresh salt, verified against an md5 or plaintext entry. */
export async function verifyMd5(
  reader: SocketReader,
  user: string,
  entry: PoolPasswdEntry | undefined,
): Promise<boolean> {
  const plain = plainOf(entry);
  const stored = plain !== null ? md5Entry(user, plain) : entry?.kind === 'md5' ? entry.hash : null;
  if (stored === null)
    throw new AuthFailure(
      `md5 authentication failed: pool_passwd has no md5 or plaintext entry for user "${user}"`,
    );
  const salt = randomBytes(4);
  reader.socket.write(authenticationMD5Password(salt));
  const got = cstr(await readPassword(reader));
  return safeEqual(Buffer.from(got), Buffer.from(md5FromEntry(stored, salt)));
}

/** SCRAM-SHA-256 against a plaintext entry or a stored SCRAM verifier. */
export async function verifyScram(
  reader: SocketReader,
  user: string,
  entry: PoolPasswdEntry | undefined,
): Promise<boolean> {
  const plain = plainOf(entry);
  const secret =
    plain !== null
      ? scramSecretFromPassword(plain)
      : entry?.kind === 'scram'
        ? parseScramVerifier(entry.verifier)
        : null;
  if (!secret)
    throw new AuthFailure(
      `SCRAM authentication failed: pool_passwd has no plaintext or SCRAM entry for user "${user}"`,
    );
  reader.socket.write(authenticationSASL(['SCRAM-SHA-256']));
  const body = await readPassword(reader);
  const mech = cstr(body);
  if (mech !== 'SCRAM-SHA-256')
    throw new AuthFailure('client selected an invalid SASL authentication mechanism', '08P01');
  const r = new MessageReader(body, Buffer.byteLength(mech) + 1, body.length);
  const len = r.int32();
  const server = new ScramServer(secret);
  try {
    reader.socket.write(authenticationSASLContinue(server.first(r.bytes(len).toString('utf8'))));
    const final = server.final((await readPassword(reader)).toString('utf8'));
    if (final === null) return false;
    reader.socket.write(authenticationSASLFinal(final));
    return true;
  } catch (e) {
    if (e instanceof ScramError) throw new AuthFailure(e.message, '08P01');
    throw e;
  }
}
