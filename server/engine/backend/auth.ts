/**
 * Backend authentication: pgwarden as a PostgreSQL client answering AuthenticationXXX requests
 * (protocol-flow.html#PROTOCOL-FLOW-START-UP) with trust, cleartext password, md5 or SCRAM-SHA-256. When pgwarden
 * has no usable secret for the request, the exchange is relayed to the client (`relay`), which is how pgpool
 * behaves with enable_pool_hba = off and no pool_passwd entry (reference §8.1).
 */
import { AuthCode } from '../protocol/constants';
import { passwordMessage, saslInitialResponse, saslResponse } from '../protocol/frontend-builders';
import { md5FromEntry, md5Response } from '../frontend/auth/crypto';
import { ScramClient } from '../frontend/auth/scram';

export interface BackendCredentials {
  /** Cleartext password (pool_passwd plaintext/AES, or what the client sent in cleartext). */
  password: string | null;
  /** pool_passwd md5 entry ('md5' + 32 hex): answers md5 requests without the plaintext. */
  md5Entry: string | null;
}

/** Passes an Authentication request to the client and resolves with the client's 'p' message (or null if none expected). */
export type AuthRelay = (request: Buffer, code: number) => Promise<Buffer | null>;

export type BackendAuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export class BackendAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendAuthError';
  }
}

/** One authentication conversation with one backend. */
export class BackendAuthenticator {
  method: BackendAuthMethod = 'trust';
  /** True once an exchange was relayed to the client (the password stays unknown to pgwarden). */
  relayed = false;
  private scram: ScramClient | null = null;

  constructor(
    private readonly user: string,
    private readonly creds: BackendCredentials,
    private readonly relay: AuthRelay | null,
  ) {}

  /** Answers one Authentication message (whole, header included); returns bytes to send, or null. */
  async answer(msg: Buffer, code: number, data: Buffer): Promise<Buffer | null> {
    if (this.relayed) return this.viaRelay(msg, code);
    switch (code) {
      case AuthCode.Ok:
        return null;
      case AuthCode.CleartextPassword:
        this.method = 'password';
        if (this.creds.password !== null) return passwordMessage(this.creds.password);
        return this.viaRelay(msg, code);
      case AuthCode.MD5Password:
        this.method = 'md5';
        if (this.creds.password !== null)
          return passwordMessage(md5Response(this.user, this.creds.password, data));
        if (this.creds.md5Entry !== null) return passwordMessage(md5FromEntry(this.creds.md5Entry, data));
        return this.viaRelay(msg, code);
      case AuthCode.SASL: {
        this.method = 'scram-sha-256';
        const mechs = data.toString('utf8').split('\0');
        if (!mechs.includes('SCRAM-SHA-256'))
          throw new BackendAuthError(
            `backend offers no supported SASL mechanism (${mechs.filter(Boolean).join(', ')})`,
          );
        if (this.creds.password === null) return this.viaRelay(msg, code);
        this.scram = new ScramClient(this.creds.password);
        return saslInitialResponse('SCRAM-SHA-256', this.scram.first());
      }
      case AuthCode.SASLContinue:
        if (!this.scram) throw new BackendAuthError('unexpected SASL continue');
        return saslResponse(this.scram.final(data.toString('utf8')));
      case AuthCode.SASLFinal:
        if (!this.scram?.verify(data.toString('utf8')))
          throw new BackendAuthError(
            'SCRAM server signature does not match: the backend could not prove it knows the password',
          );
        return null;
      default:
        throw new BackendAuthError(
          `unsupported authentication method requested by the backend (code ${code})`,
        );
    }
  }

  private async viaRelay(msg: Buffer, code: number): Promise<Buffer | null> {
    if (!this.relay)
      throw new BackendAuthError(
        `no password available to authenticate user "${this.user}" to the backend: add the user to pool_passwd`,
      );
    this.relayed = true;
    return this.relay(msg, code);
  }
}
