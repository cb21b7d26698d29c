/** Public surface of statement routing for the proxy session and the sr_check loop. */
export { createRouter, type PgwardenRouter, type RouterOptions } from './router';
export { loadParser } from './classifier';
export { createPgProcVolatility, type CatalogClient } from './functions';
export { createRelationLookup, RELPERSISTENCE_QUERY } from './relations';
export { refreshEligibility, isLagging, RECOVER_FRACTION } from './eligibility';
export { countStatement, countError } from './counters';
export { createSessionTracking, type SessionTracking } from './session-tracking';
export { detectAdmin } from './lexer';
export type * from './types';
