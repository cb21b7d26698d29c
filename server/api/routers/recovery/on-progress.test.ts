import { isTrackedEnvelope } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import type { EngineApi } from '../../../engine/api';
import { ClusterState } from '../../../engine/state/cluster-state';
import type { EngineEvent, EventKind } from '../../../engine/state/types';
import type { Context } from '../../context';
import { appRouter } from '../../root';

const b = (id: number) =>
  ({ id, hostname: 'h', port: 1, weight: 1, data_directory: '', flag: {}, application_name: '' }) as never;

describe('recovery.onProgress', () => {
  it('streams only recovery events (of one run when asked), resuming after lastEventId', async () => {
    const state = new ClusterState('streaming_replication', [b(0), b(1)]);
    const engine = {
      events: async (o: { sinceId?: number }) => state.events(o),
      subscribe: (l: (e: EngineEvent) => void) => state.subscribe(l),
    } as unknown as EngineApi;
    const ctx = {
      handle: { engine, services: {} as never, proxyPort: 0 },
      principal: { name: 'v', role: 'viewer', source: 'token', via: 'bearer' },
      csrfHeader: false,
      resHeaders: new Headers(),
    } as Context;
    const emit = (kind: EventKind, runId: string) =>
      state.emit({
        kind,
        nodeId: 1,
        summary: `${kind} ${runId}`,
        reason: null,
        outcome: 'info',
        details: { runId },
      });

    const missed = emit('recovery_started', 'A'); // before the client connects
    const abort = new AbortController();
    const caller = appRouter.createCaller(ctx, { signal: abort.signal });
    const stream = await caller.recovery.onProgress({ runId: 'A', lastEventId: String(missed.id - 1) });
    const got: string[] = [];
    const reading = (async () => {
      for await (const item of stream) {
        expect(isTrackedEnvelope(item)).toBe(true);
        const e = (item as unknown as [string, EngineEvent])[1];
        got.push(e.summary);
        if (e.kind === 'recovery_finished') break;
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    emit('recovery_stage', 'B');
    emit('node_status_changed', 'A');
    emit('recovery_stage', 'A');
    emit('recovery_output', 'A');
    emit('recovery_finished', 'A');
    await reading;
    abort.abort();
    expect(got).toEqual([
      'recovery_started A',
      'recovery_stage A',
      'recovery_output A',
      'recovery_finished A',
    ]);
  });
});
