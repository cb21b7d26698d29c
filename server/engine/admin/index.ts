/** Public surface of the SQL admin commands for the proxy session. */
export { createAdminHandler, type AdminHandler } from './handler';
export { ADMIN_COMMANDS } from './registry';
export { routeOverrides } from './params';
export { PGPOOL_COMPAT_VERSION } from './show-pool-version';
export * from './types';
