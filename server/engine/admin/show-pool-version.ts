/**
 * SHOW pool_version (reference §2). pgpool 4.3.5 answers `4.3.5 (tamahomeboshi)`. Tools parse the leading version
 * (`^\d+\.\d+`) or grep the whole pgpool string, so pgwarden keeps that prefix byte for byte and appends its own
 * identity: `4.3.5 (tamahomeboshi) pgwarden/<version>`. (4.3.5 sends RowDescription twice here; we do not.)
 */
import type { AdminCommand } from './types';

export const PGPOOL_COMPAT_VERSION = '4.3.5 (tamahomeboshi)';

export const showPoolVersion: AdminCommand = {
  name: 'pool_version',
  run(ctx) {
    const suffix = ctx.version ? ` pgwarden/${ctx.version}` : ' pgwarden';
    return { columns: ['pool_version'], rows: [[PGPOOL_COMPAT_VERSION + suffix]] };
  },
};
