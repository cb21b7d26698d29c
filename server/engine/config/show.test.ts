import { describe, expect, it } from 'vitest';
import { defaultConfig } from './index';
import { settingsRows } from './show';

describe('settingsRows (SHOW pool_status / PGPOOL SHOW ALL)', () => {
  const config = defaultConfig({
    sr_check_password: 'secret',
    params: { health_check_password: 'hcsecret' },
    backends: [{ hostname: 'db0', port: 5432, flag: { allowToFailover: false, alwaysPrimary: true } }],
  });
  const rows = settingsRows(config);
  const get = (item: string) => rows.find((r) => r.item === item);

  it('lists scalar parameters with pgpool spelling and a description', () => {
    expect(get('port')).toEqual({ item: 'port', value: '9999', description: 'TCP port of the proxy.' });
    expect(get('load_balance_mode')?.value).toBe('on');
    expect(get('reset_query_list')?.value).toBe('ABORT;DISCARD ALL');
  });

  it('lists per-node rows and masks secrets', () => {
    expect(get('backend_hostname0')?.value).toBe('db0');
    expect(get('backend_flag0')?.value).toBe('DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY');
    expect(get('health_check_timeout0')?.value).toBe('20');
    expect(get('sr_check_password')?.value).toBe('********');
    expect(get('health_check_password0')?.value).toBe('********');
    expect(rows.some((r) => r.value.includes('secret'))).toBe(false);
  });
});
