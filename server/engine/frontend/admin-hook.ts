/**
 * The admin interception hook: when the Router marks a simple query as a pgpool admin command (SHOW pool_nodes,
 * PGPOOL SET ...; reference §2), the session asks the injected handler and writes the answer itself.
 *
 * Wire format choice: pgpool sends typeOID 0 for every column; pgwarden sends 25 (text) so that drivers which look
 * the type up (node-postgres, JDBC) decode the values as strings; psql prints both the same. Values are text,
 * NULL never appears (pgpool prints empty strings).
 */
import { commandComplete, dataRow, readyForQuery, rowDescription } from '../protocol/backend-builders';
import type { TxStatus } from '../protocol/constants';

export type AdminResult = { columns: string[]; rows: string[][] } | { tag: string };

/** What an admin command may know about the session that runs it. */
export interface AdminSessionInfo {
  sessionId: number;
  user: string;
  database: string;
  applicationName: string;
  loadBalanceNode: number;
}

export interface AdminHandler {
  handle(command: string, args: string[], session: AdminSessionInfo): AdminResult | Promise<AdminResult>;
}

/** RowDescription + DataRows + CommandComplete (+ ReadyForQuery), as one buffer. */
export function encodeAdminResult(r: AdminResult, status: TxStatus | null): Buffer {
  const parts: Buffer[] = [];
  if ('tag' in r) parts.push(commandComplete(r.tag));
  else {
    parts.push(rowDescription(r.columns.map((name) => ({ name }))));
    for (const row of r.rows) parts.push(dataRow(row));
    parts.push(commandComplete(`SELECT ${r.rows.length}`));
  }
  if (status) parts.push(readyForQuery(status));
  return Buffer.concat(parts);
}
