import { describe, expect, it } from 'vitest';
import type { RecoveryRunView } from '../api';
import { applyProgress } from './progress';

const t0 = new Date('2026-11-22T04:00:00Z');
const run = (): RecoveryRunView => ({
  id: 'r1',
  nodeId: 2,
  actor: { name: 'pgwarden', interface: 'dashboard' },
  startedAt: t0,
  endedAt: null,
  outcome: 'running',
  error: null,
  stages: ['first_stage', 'remote_start'].map((name) => ({
    name,
    startedAt: null,
    endedAt: null,
    outcome: 'pending' as const,
    output: '',
  })),
});

describe('applyProgress', () => {
  it('starts a stage, appends its output lines, ends it with the engine full output', () => {
    let r = run();
    r = applyProgress(r, {
      kind: 'recovery_stage',
      details: { runId: 'r1', index: 0, phase: 'start', startedAt: t0, outcome: 'running', output: '' },
    });
    expect(r.stages[0]).toMatchObject({ outcome: 'running', startedAt: t0 });
    r = applyProgress(r, { kind: 'recovery_output', details: { runId: 'r1', index: 0, line: 'copying' } });
    r = applyProgress(r, { kind: 'recovery_output', details: { runId: 'r1', index: 0, line: 'done' } });
    expect(r.stages[0]!.output).toBe('copying\ndone\n');
    const end = new Date(t0.getTime() + 1500);
    r = applyProgress(r, {
      kind: 'recovery_stage',
      details: {
        runId: 'r1',
        index: 0,
        phase: 'end',
        endedAt: end,
        outcome: 'ok',
        exitCode: 0,
        output: 'copying\ndone\n',
      },
    });
    expect(r.stages[0]).toMatchObject({
      outcome: 'ok',
      endedAt: end,
      exitCode: 0,
      output: 'copying\ndone\n',
    });
    expect(r.stages[1]!.outcome).toBe('pending');
  });

  it('ignores other runs and takes the whole run from recovery_finished', () => {
    const r = run();
    expect(
      applyProgress(r, { kind: 'recovery_output', details: { runId: 'other', index: 0, line: 'x' } }),
    ).toBe(r);
    const done = { ...run(), outcome: 'ok' as const, endedAt: t0 };
    expect(applyProgress(r, { kind: 'recovery_finished', details: { runId: 'r1', run: done } })).toBe(done);
  });
});
