/** Failover, failback, follow primary and online recovery (reference §3, §6). */
import {
  boolParam,
  enumParam,
  intParam,
  INT_MAX,
  stringParam,
  type ParamContext,
  type ParamDef,
} from '../registry-types';

const fo = (doc: string, context: ParamContext = 'RELOAD') => ({
  doc,
  context,
  implemented: true,
  domain: 'Failover',
});
const rec = (doc: string, context: ParamContext = 'RELOAD') => ({
  doc,
  context,
  implemented: true,
  domain: 'Online recovery',
});

export const failoverParams: ParamDef[] = [
  stringParam(
    'failover_command',
    '',
    fo('Command run when a node is detached (%d %h %p %D %m %H %M %P %r %R %N %S %%).'),
  ),
  stringParam(
    'failback_command',
    '',
    fo('Command run when a node is attached (same placeholders as failover_command).'),
  ),
  stringParam(
    'follow_primary_command',
    '',
    fo('Command run for each standby after a primary failover (streaming replication).'),
  ),
  boolParam('failover_on_backend_error', true, fo('Detach a node when reading from or writing to it fails.')),
  boolParam(
    'failover_on_backend_shutdown',
    true,
    fo('Detach a node that reports an administrator shutdown.'),
  ),
  boolParam('detach_false_primary', false, fo('Detach a second primary that no standby follows.')),
  {
    ...intParam(
      'search_primary_node_timeout',
      300,
      0,
      INT_MAX,
      fo('How long to look for a new primary after failover, 0 = forever.'),
    ),
    unit: 's',
  },
  boolParam('auto_failback', false, fo('Re-attach a detached standby that streams from the primary again.')),
  {
    ...intParam(
      'auto_failback_interval',
      60,
      0,
      INT_MAX,
      fo('Minimum interval between automatic failbacks.'),
    ),
    unit: 's',
  },
  {
    ...intParam(
      'failover_command_timeout',
      300,
      0,
      INT_MAX,
      fo('pgwarden: kill failover/failback/follow commands running longer than this, 0 = never.'),
    ),
    unit: 's',
    pgwarden: true,
  },
];

export const recoveryParams: ParamDef[] = [
  stringParam('recovery_user', '', rec('User that runs the recovery functions on the primary.')),
  {
    ...stringParam('recovery_password', '', rec("Password of recovery_user; '' looks it up in pool_passwd.")),
    secret: true,
  },
  stringParam(
    'recovery_1st_stage_command',
    '',
    rec("Script in the primary's data directory run in the first stage."),
  ),
  stringParam(
    'recovery_2nd_stage_command',
    '',
    rec('Script run in the second stage, after clients are drained (native replication).'),
  ),
  {
    ...intParam(
      'recovery_timeout',
      90,
      0,
      INT_MAX,
      rec('How long to wait for the recovered node to come up.'),
    ),
    unit: 's',
  },
  {
    ...intParam(
      'client_idle_limit_in_recovery',
      0,
      -1,
      INT_MAX,
      rec('Disconnect idle clients during the 2nd stage after this long; -1 at once.', 'SESSION'),
    ),
    unit: 's',
  },
  {
    ...enumParam(
      'recovery_script_runner',
      'extension',
      ['extension', 'direct'],
      rec("pgwarden: 'extension' runs scripts via SELECT pgpool_recovery(); 'direct' runs them itself."),
    ),
    pgwarden: true,
  },
];
