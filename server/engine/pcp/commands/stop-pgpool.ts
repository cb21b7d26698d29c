/**
 * `T` + 1 byte mode (`s` smart, `f` fast, `i` immediate), `t` = whole watchdog cluster -> `t` "CommandComplete\0",
 * then shutdown (reference §1.5 Stop). The reply is written before EngineApi.shutdown runs (`afterReply`), since
 * shutting down closes this very connection.
 */
import type { ShutdownMode } from '../../api';
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { refuseWhileFailover } from './common';

export interface StopArgs {
  mode: ShutdownMode;
  scope: 'local' | 'cluster';
}

const MODES: Record<string, ShutdownMode> = { s: 'smart', f: 'fast', i: 'immediate' };

export const stopPgpool: PcpCommand<StopArgs, StopArgs> = {
  name: 'stop_pgpool',
  pcpType: 'T',
  alsoTypes: ['t'],
  replyType: 't',
  summary: 'shut pgwarden down (smart, fast or immediate)',
  decode(payload, type) {
    const c = payload.length > 0 ? String.fromCharCode(payload[0]!) : '';
    const mode = MODES[c];
    if (!mode) {
      throw pcpError(
        'config_invalid',
        'PCP: error while processing shutdown request',
        `invalid shutdown mode "${c}"`,
      );
    }
    return { mode, scope: type === 't' ? 'cluster' : 'local' };
  },
  async run(engine, args) {
    refuseWhileFailover(await engine.snapshot());
    return args;
  },
  encode: () => [commandComplete('t')],
  async afterReply(engine, args) {
    await engine.shutdown(args.mode);
  },
};
