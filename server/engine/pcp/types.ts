/**
 * The PCP command contract (ARCHITECTURE.md rule 8): one object per command, one registry. `run` is the use-case
 * and is what the control plane (tRPC/REST) calls too; `decode`/`encode` are the PCP wire adapters. So PCP, tRPC and
 * REST cannot drift: they all go through the same `run`, and every admin action is an EngineApi call with the actor.
 */
import type { EngineApi } from '../api';
import { EngineError, isEngineError, type EngineErrorCode } from '../errors';
import type { Actor } from '../state/types';
import type { PcpErrorFields } from './codec';

export interface PcpCommand<Args, Result> {
  /** Stable name, e.g. 'node_info'; the control plane's procedure name. */
  name: string;
  /** The request letter of pgpool's `pcp_process_command` (reference §1.4). */
  pcpType: string;
  /** Further request letters served by the same command (D + d graceful, J + j, T + t). */
  alsoTypes?: readonly string[];
  /** Reply letter (lowercase request letter, except D/d/J/j -> d, O -> c). */
  replyType: string;
  /** One-line description (CLI help, API docs). */
  summary: string;
  /** Wire payload -> typed args. `type` is the request letter actually received. Throws a PCP error to refuse. */
  decode(payload: Buffer, type: string): Args;
  /** The use-case. `ctx` comes from the PCP connection; the control plane passes none (see PcpRunContext). */
  run(engine: EngineApi, args: Args, actor: Actor, ctx?: PcpRunContext): Promise<Result>;
  encode(result: Result): Buffer[];
  /** Work that must happen after the reply has been sent (stop: reply first, then shut down). */
  afterReply?(engine: EngineApi, args: Args, actor: Actor): Promise<void>;
}

/** What the PCP connection lends a command while it runs. The control plane passes none. */
export interface PcpRunContext {
  /**
   * pgpool's reply timing (reference §1.5): attach, detach and (non-graceful) promote reply as soon as the request
   * is validated and handed to the failover queue, before the failover has run; graceful detach/promote reply after
   * it. Without it run() resolves when the action has been done (what a dashboard button wants).
   */
  replyWhenQueued?: boolean;
  /** Sends a NoticeResponse at once (libpcp prints notices only with -d; the runbook subcommands print them). */
  notice?: (message: string, detail?: string) => void;
}

/** Registry entries erase the argument and result types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPcpCommand = PcpCommand<any, any>;

/** What pgpool would print for an error: severity, message, detail, and pgpool's source location when known. */
export interface PcpErrorInfo {
  severity: 'ERROR' | 'FATAL';
  detail?: string;
  file?: string;
  line?: number;
}

/**
 * Command errors are EngineErrors (stable `code`, rule 5) whose `details.pcp` carries pgpool's exact wording, so
 * the control plane maps them by code and PCP prints them as pgpool does.
 */
export function pcpError(
  code: EngineErrorCode,
  message: string,
  detail?: string,
  opts: { severity?: 'ERROR' | 'FATAL'; file?: string; line?: number } = {},
): EngineError {
  const pcp: PcpErrorInfo = { severity: opts.severity ?? 'ERROR' };
  if (detail !== undefined) pcp.detail = detail;
  if (opts.file !== undefined) pcp.file = opts.file;
  if (opts.line !== undefined) pcp.line = opts.line;
  return new EngineError(code, message, { details: { pcp } });
}

/** Any thrown value -> the fields of the `E` packet. Engine errors keep their message (PCP prints `message`). */
export function toPcpErrorFields(err: unknown): PcpErrorFields {
  if (isEngineError(err)) {
    const pcp = (err.details as { pcp?: PcpErrorInfo } | undefined)?.pcp;
    const fields: PcpErrorFields = { severity: pcp?.severity ?? 'ERROR', message: err.message };
    if (pcp?.detail !== undefined) fields.detail = pcp.detail;
    if (pcp?.file !== undefined) fields.file = pcp.file;
    if (pcp?.line !== undefined) fields.line = pcp.line;
    return fields;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { severity: 'ERROR', message: 'PCP command failed', detail: message };
}
