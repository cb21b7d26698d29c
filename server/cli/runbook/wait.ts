/**
 * pgpool's PCP replies to attach/detach/promote as soon as the request is queued (reference §1.5), so a runbook
 * subcommand that exits 0 must first see the effect: it polls node info until it shows, or fails after a bound.
 */
import type { PcpClient } from '../../engine/pcp/client';
import type { PcpErrorFields } from '../../engine/pcp/codec';
import type { NodeInfoRecord } from '../../engine/pcp/records';

export const EFFECT_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

/** Polls until `done(nodes)` holds; throws (exit 1) with `what` when it does not within the bound. */
export async function waitForEffect(
  client: PcpClient,
  what: string,
  done: (nodes: NodeInfoRecord[]) => boolean,
  timeoutMs = EFFECT_TIMEOUT_MS,
): Promise<NodeInfoRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await client.nodeInfo(-1);
    if (done(nodes)) return nodes;
    if (Date.now() >= deadline) throw new Error(`${what}: not seen after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Collects the NOTICEs the server sends during the next requests (graceful timeouts, recovery stages). */
export function collectNotices(client: PcpClient, each?: (f: PcpErrorFields) => void): PcpErrorFields[] {
  const all: PcpErrorFields[] = [];
  client.onNotice = (f) => {
    all.push(f);
    each?.(f);
  };
  return all;
}
