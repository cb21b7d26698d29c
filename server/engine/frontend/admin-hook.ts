/**
 * The admin interception hook: when the Router marks a simple query as a pgpool admin command (SHOW pool_nodes,
 * PGPOOL SET ...; reference §2), the session asks the injected handler and writes the answer itself.
 *
 * Wire format choice: pgpool sends typeOID 0 for every column; pgwarden sends 25 (text) so that drivers which look
 * the type up (node-postgres, JDBC) decode the values as strings; psql prints both the same. Values are text,
 * NULL never appears (pgpool prints empty strings).
 */
import {
  commandComplete,
  dataRow,
  errorResponse,
  readyForQuery,
  rowDescription,
} from '../protocol/backend-builders';
import type { TxStatus } from '../protocol/constants';

/** Structurally the admin module's AdminResult | AdminError (server/engine/admin/types.ts). */
export type AdminResult =
  | { columns: string[]; rows: string[][] }
  | { tag: string }
  | { error: { sqlstate: string; message: string; detail?: string } };

/** What an admin command may know about the session that runs it (admin/types.ts AdminSession, plus ids). */
export interface AdminSessionInfo {
  sessionId: number;
  user: string;
  database: string;
  applicationName: string;
  loadBalanceNode: number;
  /** PGPOOL SET values of this session; PGPOOL SET/RESET change this map in place. */
  overrides: Map<string, string>;
}

export interface AdminHandler {
  handle(command: string, args: string[], session: AdminSessionInfo): AdminResult | Promise<AdminResult>;
}

/** RowDescription + DataRows + CommandComplete (+ ReadyForQuery), as one buffer; an error is an ERROR, not FATAL. */
export function encodeAdminResult(r: AdminResult, status: TxStatus | null): Buffer {
  const parts: Buffer[] = [];
  if ('error' in r)
    parts.push(
      errorResponse({
        severity: 'ERROR',
        code: r.error.sqlstate,
        message: r.error.message,
        detail: r.error.detail,
      }),
    );
  else if ('tag' in r) parts.push(commandComplete(r.tag));
  else {
    parts.push(rowDescription(r.columns.map((name) => ({ name }))));
    for (const row of r.rows) parts.push(dataRow(row));
    parts.push(commandComplete(`SELECT ${r.rows.length}`));
  }
  if (status) parts.push(readyForQuery(status));
  return Buffer.concat(parts);
}
