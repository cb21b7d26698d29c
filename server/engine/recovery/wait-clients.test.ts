import { describe, expect, it } from 'vitest';
import { Admission } from '../frontend/admission';
import type { ClientGate } from './types';
import { waitForClients } from './wait-clients';

function fakeGate(sessions: { idleS: number }[]): ClientGate & { closed: number } {
  return {
    closed: 0,
    block: () => undefined,
    unblock: () => undefined,
    activeSessions: () => sessions.length,
    closeIdleSessions(idle) {
      const before = sessions.length;
      for (let i = sessions.length - 1; i >= 0; i--) if (sessions[i]!.idleS >= idle) sessions.splice(i, 1);
      this.closed += before - sessions.length;
      return before - sessions.length;
    },
  };
}

/** A fake clock: sleep advances it. */
function clock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

describe('wait_clients', () => {
  it('returns once no session remains; times out after recovery_timeout otherwise', async () => {
    const sessions = [{ idleS: 0 }];
    const c = clock();
    const lines: string[] = [];
    const gate = fakeGate(sessions);
    const base = {
      gate,
      idleLimitS: 0,
      pollMs: 3000,
      cancelled: () => false,
      out: (l: string) => lines.push(l),
      ...c,
    };
    await expect(waitForClients({ ...base, recoveryTimeoutS: 9 })).rejects.toThrow(
      /1 client session\(s\) still open after recovery_timeout \(9 s\)/,
    );
    expect(c.now()).toBe(9000);
    sessions.pop();
    await waitForClients({ ...base, recoveryTimeoutS: 9 });
    expect(lines).toContain('no client session remains');
  });

  it('client_idle_limit_in_recovery: -1 closes idle sessions at once, N closes those idle N s, 0 none', async () => {
    const c = clock();
    const opts = (gate: ClientGate, idleLimitS: number) => ({
      gate,
      idleLimitS,
      recoveryTimeoutS: 1,
      pollMs: 500,
      cancelled: () => false,
      out: () => undefined,
      ...c,
    });
    const a = fakeGate([{ idleS: 0 }, { idleS: 0 }]);
    await waitForClients(opts(a, -1));
    expect(a.closed).toBe(2);
    const b = fakeGate([{ idleS: 5 }, { idleS: 30 }]);
    await expect(waitForClients(opts(b, 10))).rejects.toThrow(/still open/);
    expect(b.closed).toBe(1);
    const d = fakeGate([{ idleS: 100 }]);
    await expect(waitForClients(opts(d, 0))).rejects.toThrow(/still open/);
    expect(d.closed).toBe(0);
  });

  it('stops when cancelled', async () => {
    const gate = fakeGate([{ idleS: 0 }]);
    await expect(
      waitForClients({
        gate,
        idleLimitS: 0,
        recoveryTimeoutS: 90,
        pollMs: 1,
        cancelled: () => true,
        out: () => undefined,
      }),
    ).rejects.toThrow('cancelled');
  });
});

describe('Admission block/unblock (new sessions wait during recovery)', () => {
  it('holds new clients even with free slots, lets them in in order on unblock', async () => {
    const a = new Admission(3, 0);
    const s0 = a.acquire();
    expect(s0).toBe(0);
    a.block();
    const w1 = a.acquire();
    const w2 = a.acquire();
    expect(typeof w1).toBe('object');
    expect(a.waiting).toBe(2);
    // A session ending while blocked frees its slot; it does not pass to a waiter.
    a.release(0);
    expect(a.active).toBe(0);
    expect(a.waiting).toBe(2);
    a.unblock();
    const got = await Promise.all([w1, w2].map((w) => (w as { wait: Promise<number> }).wait));
    expect(new Set(got).size).toBe(2);
    expect(a.active).toBe(2);
    expect(a.waiting).toBe(0);
    expect(a.acquire()).toEqual(expect.any(Number));
  });

  it('cancelled waiters are skipped on unblock; waiters beyond the slots keep waiting', async () => {
    const a = new Admission(1, 0);
    a.block();
    const w1 = a.acquire() as { wait: Promise<number>; cancel: () => void };
    const w2 = a.acquire() as { wait: Promise<number>; cancel: () => void };
    const w3 = a.acquire() as { wait: Promise<number>; cancel: () => void };
    w1.cancel();
    a.unblock();
    expect(await w2.wait).toBe(0);
    expect(a.waiting).toBe(1);
    a.release(0);
    expect(await w3.wait).toBe(0);
  });
});
