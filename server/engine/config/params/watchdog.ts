/**
 * Watchdog parameters (reference §7.1), pgpool 4.3 names. pgwarden validates them so a pgpool.conf moves over
 * unchanged, but the watchdog itself is not implemented yet: setting any of them to a non-default value warns.
 */
import {
  boolParam,
  enumParam,
  intParam,
  INT_MAX,
  listParam,
  stringParam,
  type ParamContext,
  type ParamDef,
} from '../registry-types';

const wd = (doc: string, context: ParamContext = 'INIT') => ({
  doc,
  context,
  implemented: false,
  domain: 'Watchdog',
});
const node = (doc: string) => ({ ...wd(doc, 'RELOAD'), array: 'watchdog' as const });
const hb = (doc: string) => ({ ...wd(doc, 'RELOAD'), array: 'heartbeat' as const });

export const watchdogParams: ParamDef[] = [
  boolParam('use_watchdog', false, wd('Run the watchdog (pgpool-to-pgpool HA with a delegate IP).')),
  stringParam(
    'hostname',
    'localhost',
    node('Host name of watchdog node N (all nodes, this one included; see pgpool_node_id).'),
  ),
  intParam('wd_port', 9000, 1, 65535, node('Watchdog TCP port of node N.')),
  intParam('pgpool_port', 9999, 1, 65535, node('Proxy port of node N.')),
  intParam('wd_priority', 1, 0, INT_MAX, wd('Leader election priority (higher wins).')),
  {
    ...stringParam('wd_authkey', '', wd('Shared key authenticating watchdog messages.', 'RELOAD')),
    secret: true,
  },
  stringParam('wd_ipc_socket_dir', '/tmp', wd('Directory of the watchdog IPC socket.')),
  stringParam('delegate_IP', '', wd('Virtual IP held by the leader.')),
  stringParam('if_cmd_path', '/sbin', wd('Directory of if_up_cmd/if_down_cmd.')),
  stringParam(
    'if_up_cmd',
    '/usr/bin/sudo /sbin/ip addr add $_IP_$/24 dev eth0 label eth0:0',
    wd('Command bringing the delegate IP up ($_IP_$).'),
  ),
  stringParam(
    'if_down_cmd',
    '/usr/bin/sudo /sbin/ip addr del $_IP_$/24 dev eth0',
    wd('Command bringing the delegate IP down ($_IP_$).'),
  ),
  stringParam('arping_path', '/usr/sbin', wd('Directory of arping_cmd.')),
  stringParam(
    'arping_cmd',
    '/usr/bin/sudo /usr/sbin/arping -U $_IP_$ -w 1 -I eth0',
    wd('Gratuitous ARP command after taking the IP.'),
  ),
  boolParam(
    'clear_memqcache_on_escalation',
    true,
    wd('Clear the query cache when becoming leader.', 'RELOAD'),
  ),
  stringParam('wd_escalation_command', '', wd('Command run when this node becomes leader.', 'RELOAD')),
  stringParam('wd_de_escalation_command', '', wd('Command run when this node resigns as leader.', 'RELOAD')),
  boolParam('failover_when_quorum_exists', true, wd('Fail over only while the watchdog cluster has quorum.')),
  boolParam(
    'failover_require_consensus',
    true,
    wd('Fail over only when a majority of watchdog nodes agree.'),
  ),
  boolParam(
    'allow_multiple_failover_requests_from_node',
    false,
    wd('Let one node vote several times for a failover.'),
  ),
  boolParam(
    'enable_consensus_with_half_votes',
    false,
    wd('With an even node count, half the votes make a majority.'),
  ),
  boolParam(
    'wd_remove_shutdown_nodes',
    false,
    wd('Drop cleanly shut down nodes from the membership.', 'RELOAD'),
  ),
  {
    ...intParam(
      'wd_lost_node_removal_timeout',
      0,
      0,
      INT_MAX,
      wd('Drop LOST nodes from the membership after this long.', 'RELOAD'),
    ),
    unit: 's',
  },
  {
    ...intParam(
      'wd_no_show_node_removal_timeout',
      0,
      0,
      INT_MAX,
      wd('Drop nodes that never showed up after this long.', 'RELOAD'),
    ),
    unit: 's',
  },
  listParam('wd_monitoring_interfaces_list', [], ',', wd('Network interfaces whose link state is watched.')),
  listParam(
    'trusted_servers',
    [],
    ',',
    wd('Hosts pinged to tell a local network failure from a remote one.'),
  ),
  stringParam('ping_path', '/bin', wd('Directory of ping.')),
  enumParam(
    'wd_lifecheck_method',
    'heartbeat',
    ['heartbeat', 'query', 'external'],
    wd('How watchdog nodes check each other.'),
  ),
  { ...intParam('wd_interval', 10, 0, INT_MAX, wd('Interval of the life check.')), unit: 's' },
  stringParam('heartbeat_hostname', '', hb('Destination of heartbeat N.')),
  intParam('heartbeat_port', 9694, 1, 65535, hb('UDP port of heartbeat N.')),
  stringParam('heartbeat_device', '', hb('Network device heartbeat N is sent from.')),
  { ...intParam('wd_heartbeat_keepalive', 2, 1, INT_MAX, wd('Interval between heartbeats.')), unit: 's' },
  {
    ...intParam(
      'wd_heartbeat_deadtime',
      30,
      1,
      INT_MAX,
      wd('A node without heartbeat for this long is lost.'),
    ),
    unit: 's',
  },
  intParam('wd_life_point', 3, 0, INT_MAX, wd('Query life check retries.')),
  stringParam('wd_lifecheck_query', 'SELECT 1', wd('Query of the query life check.')),
  stringParam('wd_lifecheck_dbname', 'template1', wd('Database of the query life check.', 'RELOAD')),
  stringParam('wd_lifecheck_user', 'nobody', wd('User of the query life check.', 'RELOAD')),
  {
    ...stringParam('wd_lifecheck_password', '', wd('Password of wd_lifecheck_user.', 'RELOAD')),
    secret: true,
  },
];
