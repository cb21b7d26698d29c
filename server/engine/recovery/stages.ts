/**
 * The body of each recovery stage. Each returns what the stage wrapper records (command, exit code) or throws a
 * StageFailure; output lines go to `out`.
 */
import type { PgwardenConfig } from '../config/types';
import type { Actor } from '../state/types';
import type { RecoveryPlan } from './checks';
import type { MainConnection } from './main-connection';
import type { ScriptResult, ScriptRunner } from './runner';
import { waitForClients } from './wait-clients';
import { waitForPostmaster } from './wait-postmaster';
import {
  StageFailure,
  type RecoveryDeps,
  type RecoveryTiming,
  type StageName,
  type StageResult,
} from './types';

export interface StageContext {
  runId: string;
  plan: RecoveryPlan;
  actor: Actor;
  config: PgwardenConfig;
  deps: RecoveryDeps;
  timing: RecoveryTiming;
  conn: MainConnection;
  runner: ScriptRunner;
  cancelled: () => boolean;
  /** Aborted on cancel: interrupts a running script (runner.ts, kill-tree.ts). */
  signal: AbortSignal;
  /** Set by block_clients, cleared by unblock (and by the run's cleanup on failure). */
  blocked: { value: boolean };
}

function scriptOutcome(r: ScriptResult): StageResult {
  if (r.ok) return { command: r.command, exitCode: r.exitCode };
  const code = r.exitCode !== null ? `exited with code ${r.exitCode}` : 'failed';
  throw new StageFailure(`${code}${r.error ? ` (${r.error})` : ''}`, r.command, r.exitCode);
}

export async function runStageBody(
  name: StageName,
  c: StageContext,
  out: (line: string) => void,
): Promise<StageResult> {
  const { plan, config, deps } = c;
  switch (name) {
    case 'checkpoint':
      await c.conn.query('CHECKPOINT');
      return { command: 'CHECKPOINT' };
    case 'first_stage':
      return scriptOutcome(
        await c.runner.recovery(config.recovery_1st_stage_command.trim(), plan.target, out, c.signal),
      );
    case 'second_stage': {
      const script = config.recovery_2nd_stage_command.trim();
      if (script === '') return { skipped: true };
      return scriptOutcome(await c.runner.recovery(script, plan.target, out, c.signal));
    }
    case 'block_clients':
      if (!deps.gate) {
        out('no proxy in this engine: nothing to block');
        return { skipped: true };
      }
      deps.gate.block();
      c.blocked.value = true;
      out('new client sessions are held in the queue until the recovery ends');
      return {};
    case 'wait_clients':
      if (!deps.gate) return { skipped: true };
      await waitForClients({
        gate: deps.gate,
        recoveryTimeoutS: config.recovery_timeout,
        idleLimitS: config.client_idle_limit_in_recovery,
        pollMs: c.timing.clientsPollMs,
        cancelled: c.cancelled,
        out,
      });
      return {};
    case 'remote_start':
      return scriptOutcome(await c.runner.remoteStart(plan.target, out, c.signal));
    case 'wait_postmaster':
      await waitForPostmaster({
        node: plan.target,
        creds: { user: config.recovery_user, password: config.recovery_password },
        lookup: deps.lookup,
        recoveryTimeoutS: config.recovery_timeout,
        pollMs: c.timing.postmasterPollMs,
        cancelled: c.cancelled,
        out,
        readWrite: !plan.streaming,
      });
      return {};
    case 'attach':
      return attach(c, out);
    case 'unblock':
      deps.gate?.unblock();
      c.blocked.value = false;
      return deps.gate ? {} : { skipped: true };
  }
}

async function attach(c: StageContext, out: (line: string) => void): Promise<StageResult> {
  const { deps, plan } = c;
  const id = plan.target.nodeId;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new StageFailure(`failback of node ${id} did not finish in ${c.timing.attachTimeoutMs} ms`)),
      c.timing.attachTimeoutMs,
    );
  });
  try {
    await Promise.race([
      deps.failover.requestNodeUp(
        id,
        { code: 'online_recovery', message: `online recovery (run ${c.runId})`, details: { runId: c.runId } },
        c.actor,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
  const n = deps.state.node(id);
  if (!deps.state.isValid(id))
    throw new StageFailure(`failback of node ${id} was not applied (status ${n?.status ?? 'unknown'})`);
  out(`node ${id} attached: status ${n?.status}, role ${n?.role}`);
  return {};
}
