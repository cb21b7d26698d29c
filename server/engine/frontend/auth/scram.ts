/**
 * SCRAM-SHA-256 exchanges, both sides (RFC 5802, RFC 7677; PostgreSQL sasl-authentication.html). Channel binding is
 * not offered (mechanism list is just SCRAM-SHA-256), so the gs2 header is `n,,` or `y,,`.
 */
import { randomBytes } from 'node:crypto';
import { deriveScramKeys, hmac, safeEqual, scramAttributes, sha256, xor, type ScramSecret } from './crypto';

export class ScramError extends Error {}

/** Server side: verifies a client against a stored secret. */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    private readonly secret: ScramSecret,
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  /** Takes client-first-message, returns server-first-message. */
  first(clientFirst: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!m) throw new ScramError('malformed SCRAM message');
    if (m[1]!.startsWith('p=')) throw new ScramError('channel binding is not supported by this server');
    this.clientFirstBare = m[3]!;
    const attrs = scramAttributes(this.clientFirstBare);
    const cnonce = attrs.get('r');
    if (!cnonce) throw new ScramError('malformed SCRAM message (missing nonce)');
    this.nonce = cnonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** Takes client-final-message; returns server-final-message, or null when the proof is wrong. */
  final(clientFinal: string): string | null {
    const pIdx = clientFinal.lastIndexOf(',p=');
    if (pIdx < 0) throw new ScramError('malformed SCRAM message (missing proof)');
    const withoutProof = clientFinal.slice(0, pIdx);
    const attrs = scramAttributes(withoutProof);
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const cb = attrs.get('c');
    if (cb !== 'biws' && cb !== 'eSws') throw new ScramError('unexpected SCRAM channel-binding attribute');
    const proof = Buffer.from(clientFinal.slice(pIdx + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.secret.storedKey, authMessage);
    if (proof.length !== clientSignature.length) return null;
    const clientKey = xor(proof, clientSignature);
    if (!safeEqual(sha256(clientKey), this.secret.storedKey)) return null;
    return `v=${hmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

/** Client side: proves knowledge of the password to a PostgreSQL server. */
export class ScramClient {
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly password: string,
    clientNonce?: string,
  ) {
    this.clientNonce = clientNonce ?? randomBytes(18).toString('base64');
  }

  first(): string {
    // PostgreSQL ignores the SCRAM user name (it uses the startup packet's), so send an empty one.
    this.clientFirstBare = `n=,r=${this.clientNonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  final(serverFirst: string): string {
    const attrs = scramAttributes(serverFirst);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !salt || !Number.isInteger(iterations) || iterations <= 0)
      throw new ScramError('malformed SCRAM server-first-message');
    if (!nonce.startsWith(this.clientNonce))
      throw new ScramError('SCRAM server nonce does not start with the client nonce');
    const keys = deriveScramKeys(this.password, Buffer.from(salt, 'base64'), iterations);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(keys.clientKey, hmac(keys.storedKey, authMessage));
    this.expectedServerSignature = hmac(keys.serverKey, authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks server-final-message (mutual authentication). */
  verify(serverFinal: string): boolean {
    const v = scramAttributes(serverFinal).get('v');
    return (
      !!v &&
      !!this.expectedServerSignature &&
      safeEqual(Buffer.from(v, 'base64'), this.expectedServerSignature)
    );
  }
}
