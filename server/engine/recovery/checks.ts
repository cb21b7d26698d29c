/**
 * Pre-checks before a recovery run starts (reference §1.5 Recovery, §6.2): pgpool's refusal reasons, as EngineErrors
 * with a stable code and pgpool's sentence.
 */
import type { PgwardenConfig } from '../config/types';
import { EngineError } from '../errors';
import type { ClusterState } from '../state/cluster-state';
import type { NodeEndpoint } from './main-connection';

export interface RecoveryPlan {
  target: NodeEndpoint;
  main: NodeEndpoint;
  streaming: boolean;
}

const RECOVERABLE_MODES = new Set(['streaming_replication', 'native_replication', 'snapshot_isolation']);

export function checkRecovery(
  state: ClusterState,
  config: PgwardenConfig,
  nodeId: number,
  busy: { recovery: boolean; failover: boolean },
): RecoveryPlan {
  const fail = (code: ConstructorParameters<typeof EngineError>[0], message: string): never => {
    throw new EngineError(code, message, { details: { nodeId } });
  };
  const node = state.node(nodeId);
  if (!node) fail('node_not_found', `node recovery failed, node id: ${nodeId} does not exist`);
  if (!RECOVERABLE_MODES.has(state.mode))
    fail(
      'wrong_mode',
      `recovery request is only allowed in replication and streaming replication modes (backend_clustering_mode is ${state.mode})`,
    );
  const streaming = state.mode === 'streaming_replication';
  if (streaming && nodeId === state.primaryNodeId)
    fail('node_is_primary', 'primary server cannot be recovered by online recovery.');
  if (state.isValid(nodeId) || node!.status === 'unused')
    fail(
      'node_already_up',
      `node recovery failed, node id: ${nodeId} is ${node!.status === 'unused' ? 'unused' : 'alive'}`,
    );
  if (busy.recovery)
    fail('recovery_in_progress', 'pgpool-II is already processing another recovery request.');
  if (busy.failover)
    fail('failover_in_progress', 'failover or failback event is in progress, retry the recovery later');
  if (config.recovery_1st_stage_command.trim() === '')
    fail('config_invalid', 'node recovery failed: recovery_1st_stage_command is not set');
  const mainId = streaming ? state.primaryNodeId : state.mainNodeId;
  const main = mainId >= 0 && state.isValid(mainId) ? state.node(mainId) : undefined;
  if (!main)
    fail(
      'backend_unavailable',
      `node recovery failed: no valid ${streaming ? 'primary' : 'main'} node to run the recovery on`,
    );
  for (const n of [node!, main!])
    if (n.dataDirectory.trim() === '')
      fail(
        'config_invalid',
        `node recovery failed: backend_data_directory${n.id} is not set (online recovery needs it for every node)`,
      );
  const endpoint = (n: typeof node): NodeEndpoint => ({
    nodeId: n!.id,
    hostname: n!.hostname,
    port: n!.port,
    dataDir: n!.dataDirectory,
  });
  return { target: endpoint(node), main: endpoint(main), streaming };
}
