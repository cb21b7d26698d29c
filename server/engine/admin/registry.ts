/** The one list of SQL admin commands (ARCHITECTURE.md rule 8): lexer.ts detects them, this maps name → command. */
import { pgpoolReset } from './pgpool-reset';
import { pgpoolSet } from './pgpool-set';
import { pgpoolShow } from './pgpool-show';
import { showPoolBackendStats } from './show-pool-backend-stats';
import { showPoolCache } from './show-pool-cache';
import { showPoolHealthCheckStats } from './show-pool-health-check-stats';
import { showPoolNodes } from './show-pool-nodes';
import { showPoolPools } from './show-pool-pools';
import { showPoolProcesses } from './show-pool-processes';
import { showPoolStatus } from './show-pool-status';
import { showPoolVersion } from './show-pool-version';
import type { AdminCommand } from './types';

export const ADMIN_COMMANDS: ReadonlyMap<string, AdminCommand> = new Map(
  [
    showPoolNodes,
    showPoolProcesses,
    showPoolPools,
    showPoolStatus,
    showPoolVersion,
    showPoolHealthCheckStats,
    showPoolBackendStats,
    showPoolCache,
    pgpoolShow,
    pgpoolSet,
    pgpoolReset,
  ].map((c) => [c.name, c]),
);
