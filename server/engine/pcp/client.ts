/**
 * A PCP client in TypeScript (what libpcp is to the pcp_* tools): connect over TCP or the Unix socket as libpcp
 * does (reference §1.1), md5-authenticate (§1.3), then one typed method per command. Server ERRORs become
 * PcpServerError (FATAL ones also close the connection). Used by the `pgwarden` runbook subcommands and tests.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ShutdownMode } from '../api';
import { pcpClientHash } from './auth';
import {
  cstrings,
  frame,
  nodeIdPayload,
  parseErrorFields,
  PcpPacketReader,
  PcpTag,
  promotePayload,
  splitCStrings,
  type PcpErrorFields,
  type PcpPacket,
} from './codec';
import { parseNodeInfoStrings, type ConfigItem, type NodeInfoRecord } from './records';

export interface PcpClientOptions {
  /** As pgpool's `-h`: absent/'' = Unix socket in /tmp, starting with '/' = that socket dir, else a TCP host. */
  host?: string;
  port?: number;
  user: string;
  password: string;
  /** Connect + authenticate time limit, ms (default 10 s). Commands themselves have none (recovery blocks). */
  connectTimeoutMs?: number;
}

export class PcpServerError extends Error {
  readonly severity: string;
  readonly detail: string | undefined;
  constructor(readonly fields: PcpErrorFields) {
    super(fields.message);
    this.name = 'PcpServerError';
    this.severity = fields.severity;
    this.detail = fields.detail;
  }
  /** The text pcp_* tools print: `SEV:  MSG` and `DETAIL:  DET`. */
  format(): string {
    return `${this.severity}:  ${this.message}${this.detail !== undefined ? `\nDETAIL:  ${this.detail}` : ''}`;
  }
}

/** Replies larger than a request: watchdog JSON, pool status records. */
const MAX_REPLY = 16 * 1024 * 1024;
const UNIX_DOMAIN_PATH = '/tmp';

export class PcpClient {
  private readonly reader = new PcpPacketReader(MAX_REPLY);
  private readonly packets: PcpPacket[] = [];
  private waiter: { resolve: (p: PcpPacket) => void; reject: (e: Error) => void } | null = null;
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (;;) {
        const next = this.reader.next();
        if (next === null) break;
        if ('error' in next) {
          this.fail(new Error(`invalid PCP reply: bad length ${next.length} for "${next.type}"`));
          socket.destroy();
          return;
        }
        this.packets.push(next);
      }
      this.wake();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('PCP connection closed by the server')));
  }

  static async connect(opts: PcpClientOptions): Promise<PcpClient> {
    const port = opts.port ?? 9898;
    const host = opts.host ?? '';
    const socket =
      host === '' || host.startsWith('/')
        ? netConnect(join(host === '' ? UNIX_DOMAIN_PATH : host, `.s.PGSQL.${port}`))
        : // libpcp resolves names to IPv4 only; an IPv6 literal is honoured here.
          netConnect({ host, port, family: isIP(host) === 6 ? 6 : 4 });
    socket.setNoDelay(true);
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const timer = setTimeout(
      () => socket.destroy(new Error(`PCP connect timeout after ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      const client = new PcpClient(socket);
      const [salt] = await client.exchange('M', Buffer.alloc(0), false);
      const hash = pcpClientHash(opts.user, opts.password, salt!.payload.subarray(0, 4));
      await client.exchange('R', cstrings([opts.user, hash]), false);
      return client;
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(this.closedError);
    }
  }

  private wake(): void {
    if (this.waiter && this.packets.length > 0) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(this.packets.shift()!);
    }
  }

  private nextPacket(): Promise<PcpPacket> {
    const p = this.packets.shift();
    if (p) return Promise.resolve(p);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Called for each NoticeResponse the server sends while a request runs (e.g. recovery stages). */
  onNotice: ((fields: PcpErrorFields) => void) | null = null;

  /** Send one request; collect its reply (ArraySize..CommandComplete when `multi`). Notices are skipped. */
  async exchange(type: string, payload: Buffer, multi: boolean): Promise<PcpPacket[]> {
    if (this.closedError) throw this.closedError;
    this.socket.write(frame(type, payload));
    const out: PcpPacket[] = [];
    for (;;) {
      const p = await this.nextPacket();
      if (p.type === 'N') {
        this.onNotice?.(parseErrorFields(p.payload));
        continue;
      }
      if (p.type === 'E') throw new PcpServerError(parseErrorFields(p.payload));
      out.push(p);
      if (!multi) return out;
      if (splitCStrings(p.payload)[0] === PcpTag.CommandComplete) return out;
    }
  }

  private async strings(type: string, payload: Buffer = Buffer.alloc(0)): Promise<string[]> {
    const [p] = await this.exchange(type, payload, false);
    return splitCStrings(p!.payload);
  }

  async nodeCount(): Promise<number> {
    return Number((await this.strings('L'))[1]);
  }

  /** -1 = all nodes. Records carry their node id (position for -1). */
  async nodeInfo(nodeId = -1): Promise<NodeInfoRecord[]> {
    const packets = await this.exchange('I', nodeIdPayload(nodeId), true);
    const records = packets.map((p) => splitCStrings(p.payload)).filter((s) => s[0] === PcpTag.NodeInfo);
    return records.map((s, i) => parseNodeInfoStrings(nodeId === -1 ? i : nodeId, s));
  }

  /** The 20 strings of §1.5 H, as sent. */
  async healthCheckStats(nodeId: number): Promise<string[]> {
    return (await this.strings('H', nodeIdPayload(nodeId))).slice(1);
  }

  async procCount(): Promise<number[]> {
    const s = await this.strings('N');
    return s.slice(2).map(Number);
  }

  /** ProcessInfo records (17 strings each). */
  async procInfo(pid = 0): Promise<string[][]> {
    const packets = await this.exchange('P', nodeIdPayload(pid), true);
    return packets
      .map((p) => splitCStrings(p.payload))
      .filter((s) => s[0] === PcpTag.ProcessInfo)
      .map((s) => s.slice(1));
  }

  async poolStatus(): Promise<ConfigItem[]> {
    const packets = await this.exchange('B', Buffer.alloc(0), true);
    return packets
      .map((p) => splitCStrings(p.payload))
      .filter((s) => s[0] === PcpTag.ProcessConfig)
      .map((s) => ({ name: s[1] ?? '', value: s[2] ?? '', description: s[3] ?? '' }));
  }

  /** The watchdog JSON, parsed. */
  async watchdogInfo(watchdogId = -1): Promise<unknown> {
    return JSON.parse((await this.strings('W', nodeIdPayload(watchdogId)))[1] ?? 'null') as unknown;
  }

  async attachNode(nodeId: number): Promise<void> {
    await this.exchange('C', nodeIdPayload(nodeId), false);
  }

  async detachNode(nodeId: number, graceful = false): Promise<void> {
    await this.exchange(graceful ? 'd' : 'D', nodeIdPayload(nodeId), false);
  }

  async promoteNode(nodeId: number, opts: { switchover?: boolean; graceful?: boolean } = {}): Promise<void> {
    await this.exchange(opts.graceful ? 'j' : 'J', promotePayload(nodeId, opts.switchover ?? false), false);
  }

  /** Resolves when the recovery has ended (the server replies only then). */
  async recoveryNode(nodeId: number): Promise<void> {
    await this.exchange('O', nodeIdPayload(nodeId), false);
  }

  async reloadConfig(scope: 'cluster' | 'local' = 'local'): Promise<void> {
    await this.exchange('Z', Buffer.from(scope === 'cluster' ? 'c' : 'l', 'latin1'), false);
  }

  async stopPgpool(mode: ShutdownMode, scope: 'cluster' | 'local' = 'local'): Promise<void> {
    const c = mode === 'smart' ? 's' : mode === 'fast' ? 'f' : 'i';
    await this.exchange(scope === 'cluster' ? 't' : 'T', Buffer.from(c, 'latin1'), false);
  }

  /** Send `X` and close. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      if (this.closedError) this.socket.destroy();
      else this.socket.end(frame('X'));
    });
  }
}
