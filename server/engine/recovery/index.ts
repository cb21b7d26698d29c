export { RecoveryManager } from './run';
export type { ClientGate, NodeAttacher, RecoveryDeps, RecoveryTiming, StageName } from './types';
export { NATIVE_STAGES, STREAMING_STAGES } from './types';
export { createProxyGate } from './proxy-gate';
