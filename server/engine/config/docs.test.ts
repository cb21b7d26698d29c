import { describe, expect, it } from 'vitest';
import { ALIASES } from './aliases';
import { renderConfigReference } from './docs';
import { PARAMETERS } from './registry';

describe('generated configuration reference', () => {
  const md = renderConfigReference();

  it('lists every parameter and every old name once', () => {
    for (const p of PARAMETERS) expect(md, p.name).toMatch(new RegExp(`\\| \`${p.name}N?\`[ ,|]`));
    for (const old of Object.keys(ALIASES)) expect(md, old).toContain(`| \`${old}`);
  });

  it('shows type, default, reload context and status', () => {
    expect(md).toContain('| `port` | integer 1..65535 | 9999 | restart | yes | TCP port of the proxy. |');
    expect(md).toContain(
      '| `health_check_period`, `health_check_periodN` | integer 0..INT_MAX (s) | 0 | reload | yes |',
    );
    expect(md).toContain('| `memory_cache_enabled` | boolean | off | restart | not yet |');
    expect(md).toContain('| `failover_command_timeout` | integer 0..INT_MAX (s) | 300 | reload | pgwarden |');
    expect(md).toContain('| `backend_portN` | integer 1..65535 | (required) |');
    expect(md).toContain("| `check_temp_table` | catalog \\| trace \\| none | 'catalog' | reload | yes |");
    expect(md).not.toMatch(/\| `\w*password\w*`[^\n]*\*{8}/); // secrets have '' defaults, never a masked value
  });
});
