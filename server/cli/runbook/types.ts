/** Contract of a runbook subcommand: parse its own arguments, talk PCP through a connected client, print. */
import type { PcpClient } from '../../engine/pcp/client';
import type { RunbookOptions } from './options';

export interface RunbookIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface RunbookCommand {
  name: string;
  usage: string;
  summary: string;
  /** Boolean long options of this subcommand (e.g. 'graceful'). */
  flags?: readonly string[];
  /** Validate arguments before connecting (throw UsageError). */
  check?(opts: RunbookOptions): void;
  /** Do the work; return what --json prints (printing human output through io as it goes). */
  run(client: PcpClient, opts: RunbookOptions, io: RunbookIo): Promise<unknown>;
}

/** Exit statuses (unlike pcp_* tools, which exit 0 after any server reply). */
export const EXIT = { ok: 0, refused: 1, usage: 2, connection: 3 } as const;
