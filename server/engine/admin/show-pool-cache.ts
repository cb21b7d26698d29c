/** SHOW pool_cache (reference §2, §10): query cache statistics; pgwarden has no query cache yet, so zeros. */
import type { AdminCommand } from './types';

export const POOL_CACHE_COLUMNS = [
  'num_cache_hits',
  'num_selects',
  'cache_hit_ratio',
  'num_hash_entries',
  'used_hash_entries',
  'num_cache_entries',
  'used_cache_entries_size',
  'free_cache_entries_size',
  'fragment_cache_entries_size',
];

export const showPoolCache: AdminCommand = {
  name: 'pool_cache',
  run(ctx) {
    const s = ctx.cacheStats?.();
    const hits = s?.numCacheHits ?? 0;
    const selects = s?.numSelects ?? 0;
    // cache_hit_ratio is `%.2f` of hits / (hits + selects), 0.00 before any SELECT.
    const ratio = hits + selects > 0 ? hits / (hits + selects) : 0;
    const row = [
      hits,
      selects,
      ratio.toFixed(2),
      s?.numHashEntries ?? 0,
      s?.usedHashEntries ?? 0,
      s?.numCacheEntries ?? 0,
      s?.usedCacheEntriesSize ?? 0,
      s?.freeCacheEntriesSize ?? 0,
      s?.fragmentCacheEntriesSize ?? 0,
    ].map(String);
    return { columns: POOL_CACHE_COLUMNS, rows: [row] };
  },
};
