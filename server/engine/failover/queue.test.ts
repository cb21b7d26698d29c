import { describe, expect, it } from 'vitest';
import { SerialQueue } from './queue';

describe('SerialQueue (failover request queue)', () => {
  it('runs one request at a time in arrival order', async () => {
    const log: string[] = [];
    let running = 0;
    const q = new SerialQueue<number>(async (n) => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${n}`);
      running--;
    });
    await Promise.all([q.push(1), q.push(2), q.push(3)]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(q.busy).toBe(false);
  });

  it('refuses requests beyond the queue size (MAX_REQUEST_QUEUE_SIZE)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new SerialQueue<number>(() => gate, 2);
    const first = q.push(0); // running
    await new Promise((r) => setTimeout(r, 0));
    const a = q.push(1);
    const b = q.push(2);
    await expect(q.push(3)).rejects.toMatchObject({ code: 'failover_in_progress' });
    release();
    await Promise.all([first, a, b]);
  });

  it('a failing handler rejects its own request only', async () => {
    const q = new SerialQueue<number>(async (n) => {
      if (n === 1) throw new Error('boom');
    });
    const results = await Promise.allSettled([q.push(1), q.push(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });
});
