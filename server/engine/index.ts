/**
 * The engine's public surface: start it, talk to it through EngineApi, read its state and events.
 */
export { startEngine, ENGINE_VERSION, type Engine, type StartEngineOptions } from './engine';
export type * from './api';
export { EngineError, isEngineError, type EngineErrorCode } from './errors';
export { ClusterState } from './state/cluster-state';
export * from './state/types';
export type { FailoverRequester, NodeDownRequest, SessionTerminator } from './failover/types';
export type { PgwardenConfig, BackendConfig, HealthCheckParams } from './config/types';
export { loadConfig, defaultConfig, type LoadConfigOptions, type LoadConfigResult } from './config';
export { createLogger, silentLogger, type Logger, type LogLevel } from './runtime/logger';
