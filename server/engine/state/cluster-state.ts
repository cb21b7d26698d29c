/**
 * The cluster state: every node's status, role and reason, primary and main node ids, and the typed event stream.
 * One instance per engine; every module reads it and only the failover state machine (and start-up) changes node
 * status. Events are kept in a bounded ring so the API can answer "what happened" without a store.
 */
import { EventEmitter } from 'node:events';
import type { BackendConfig } from '../config/types';
import {
  emptyCounters,
  ENGINE_ACTOR,
  type Actor,
  type ClusteringMode,
  type EngineEvent,
  type NodeSnapshot,
  type NodeStatus,
  type Reason,
} from './types';

const EVENT_RING = 1000;

export type NewEvent = Omit<EngineEvent, 'id' | 'time' | 'actor'> & { actor?: Actor };

export class ClusterState {
  readonly mode: ClusteringMode;
  readonly nodes: NodeSnapshot[];
  primaryNodeId = -1;
  private readonly emitter = new EventEmitter();
  private readonly ring: EngineEvent[] = [];
  private nextEventId = 1;

  constructor(mode: ClusteringMode, backends: BackendConfig[], now: () => Date = () => new Date()) {
    this.mode = mode;
    this.now = now;
    this.emitter.setMaxListeners(0);
    this.nodes = backends.map((b) => ({
      id: b.id,
      hostname: b.hostname,
      port: b.port,
      dataDirectory: b.data_directory,
      applicationName: b.application_name,
      status: 'waiting' as NodeStatus,
      quarantined: false,
      weight: b.weight,
      normalizedWeight: 0,
      role: this.isStreaming() ? ('standby' as const) : ('replica' as const),
      pgRole: 'unknown' as const,
      pgStatus: 'unknown' as const,
      flags: { ...b.flag },
      lastStatusChange: now(),
      reason: null,
      replicationDelayBytes: 0,
      replicationDelaySeconds: null,
      replicationState: '',
      replicationSyncState: '',
      loadBalanceEligible: true,
      notLoadBalancedReason: null,
      counters: emptyCounters(),
    }));
    this.normalizeWeights();
    this.refreshRoles();
  }

  private readonly now: () => Date;

  /** Streaming and logical replication share pgpool's "SL mode" routing and primary/standby roles. */
  isStreaming(): boolean {
    return this.mode === 'streaming_replication' || this.mode === 'logical_replication';
  }

  node(id: number): NodeSnapshot | undefined {
    return this.nodes[id];
  }

  /** pgpool's VALID_BACKEND: status waiting or up. */
  isValid(id: number): boolean {
    const n = this.nodes[id];
    return n !== undefined && (n.status === 'up' || n.status === 'waiting');
  }

  validNodeIds(): number[] {
    return this.nodes.filter((n) => n.status === 'up' || n.status === 'waiting').map((n) => n.id);
  }

  /** main_node_id: the lowest valid node id, -1 if none. */
  get mainNodeId(): number {
    return this.nodes.find((n) => n.status === 'up' || n.status === 'waiting')?.id ?? -1;
  }

  /** pgpool's PRIMARY_NODE_ID: the primary if valid, else the main node. */
  get effectivePrimaryId(): number {
    return this.primaryNodeId >= 0 && this.isValid(this.primaryNodeId) ? this.primaryNodeId : this.mainNodeId;
  }

  setStatus(id: number, status: NodeStatus, reason: Reason | null, actor: Actor = ENGINE_ACTOR): void {
    const n = this.nodes[id];
    if (!n || n.status === status) {
      if (n && reason) n.reason = reason;
      return;
    }
    const from = n.status;
    n.status = status;
    n.lastStatusChange = this.now();
    n.reason = reason;
    if (status !== 'up' && status !== 'waiting') n.pgStatus = 'down';
    this.refreshRoles();
    this.emit({
      kind: 'node_status_changed',
      nodeId: id,
      actor,
      summary: `node ${id} ${from} -> ${status}${reason ? `: ${reason.message}` : ''}`,
      reason,
      outcome: 'info',
      details: { from, to: status },
    });
  }

  setPrimary(id: number, reason: Reason | null): void {
    if (this.primaryNodeId === id) return;
    const from = this.primaryNodeId;
    this.primaryNodeId = id;
    this.refreshRoles();
    this.emit({
      kind: 'primary_changed',
      nodeId: id >= 0 ? id : null,
      summary: id >= 0 ? `node ${id} is the primary` : 'no primary node',
      reason,
      outcome: 'info',
      details: { from, to: id },
    });
  }

  setWeight(id: number, weight: number, actor: Actor, reason?: string): void {
    const n = this.nodes[id];
    if (!n) return;
    const from = n.weight;
    n.weight = weight;
    this.normalizeWeights();
    this.emit({
      kind: 'weight_changed',
      nodeId: id,
      actor,
      summary: `node ${id} weight ${from} -> ${weight}`,
      reason: reason ? { code: 'admin_set_weight', message: reason } : null,
      outcome: 'ok',
      details: { from, to: weight },
    });
  }

  /** lb_weight is each weight over the total of all configured nodes, as pgpool normalises at load. */
  normalizeWeights(): void {
    const total = this.nodes.reduce((s, n) => s + n.weight, 0);
    for (const n of this.nodes) n.normalizedWeight = total > 0 ? n.weight / total : 0;
  }

  /** SHOW pool_nodes role column: SR primary/standby by primary_node_id; other modes main/replica by main_node_id. */
  refreshRoles(): void {
    const main = this.mainNodeId;
    for (const n of this.nodes) {
      if (this.isStreaming()) n.role = n.id === this.primaryNodeId ? 'primary' : 'standby';
      else n.role = n.id === main ? 'main' : 'replica';
    }
  }

  emit(e: NewEvent): EngineEvent {
    const event: EngineEvent = {
      ...e,
      actor: e.actor ?? ENGINE_ACTOR,
      id: this.nextEventId++,
      time: this.now(),
    };
    this.ring.push(event);
    if (this.ring.length > EVENT_RING) this.ring.shift();
    this.emitter.emit('event', event);
    return event;
  }

  events(opts: { sinceId?: number; limit?: number } = {}): EngineEvent[] {
    const since = opts.sinceId ?? 0;
    const out = this.ring.filter((e) => e.id > since);
    return opts.limit ? out.slice(-opts.limit) : out;
  }

  subscribe(listener: (e: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
