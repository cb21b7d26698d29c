import { describe, expect, it } from 'vitest';
import { defaultConfig } from './index';
import { mergeReload } from './reload';

const base = () =>
  defaultConfig({
    port: 9999,
    backends: [
      { hostname: 'a', port: 5432 },
      { hostname: 'b', port: 5432 },
    ],
  });

describe('mergeReload', () => {
  it('applies RELOAD parameters and keeps INIT ones with a message', () => {
    const cur = base();
    const next = defaultConfig({
      port: 7777,
      params: { health_check_period: 5 },
      backends: [
        { hostname: 'a', port: 5432 },
        { hostname: 'b', port: 5432 },
      ],
    });
    const r = mergeReload(cur, next);
    expect(r.config.port).toBe(9999);
    expect(r.config.settings.port).toBe(9999);
    expect(r.config.settings.health_check_period).toBe(5);
    expect(r.changed).toContain('health_check_period');
    expect(r.ignored).toEqual(['port: changed in the file but needs a restart; keeping 9999']);
  });

  it('adds new backends, keeps removed ones and existing addresses', () => {
    const cur = base();
    const grown = mergeReload(
      cur,
      defaultConfig({
        backends: [
          { hostname: 'a', port: 5432 },
          { hostname: 'b', port: 5432 },
          { hostname: 'c', port: 5432 },
        ],
      }),
    );
    expect(grown.config.backends.map((b) => b.hostname)).toEqual(['a', 'b', 'c']);
    expect(grown.changed).toContain('backend 2 added');
    const shrunk = mergeReload(cur, defaultConfig({ backends: [{ hostname: 'x', port: 6000, weight: 3 }] }));
    expect(shrunk.config.backends.map((b) => [b.hostname, b.port, b.weight])).toEqual([
      ['a', 5432, 3],
      ['b', 5432, 1],
    ]);
    expect(shrunk.ignored).toEqual([
      "node 0: backend_hostname0/backend_port0 changed; a node's address changes only at restart",
      'node 1 was removed from the file; nodes cannot be removed by reload, it stays until restart',
    ]);
  });
});
