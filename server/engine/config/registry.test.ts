import { describe, expect, it } from 'vitest';
import { collect, coerceParam } from './collect';
import { DiagnosticSink } from './diagnostics';
import { formatParamValue, getParam, levenshtein, PARAMETERS, suggestName } from './registry';
import { CONTRACT_KEYS } from './schema';

describe('parameter registry', () => {
  it('has unique names, a doc line and a context for every parameter', () => {
    const names = PARAMETERS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PARAMETERS) {
      expect(p.doc.length, p.name).toBeGreaterThan(5);
      expect(['INIT', 'RELOAD', 'SESSION']).toContain(p.context);
    }
  });

  it('every default satisfies its own schema and survives a round trip through pgpool.conf text', () => {
    for (const p of PARAMETERS) {
      expect(p.schema.safeParse(p.default).success, p.name).toBe(
        p.kind === 'int' && p.name === 'backend_port' ? false : true,
      );
      if (p.secret || p.name === 'backend_port') continue;
      const back = coerceParam(p, formatParamValue(p, p.default));
      expect(back, p.name).toEqual({ ok: true, value: p.name === 'log_file_mode' ? 384 : p.default });
    }
  });

  it('pgpool 4.3 code defaults from the reference Appendix A', () => {
    const d = (n: string) => getParam(n)!.default;
    expect([d('port'), d('pcp_port'), d('num_init_children'), d('max_pool'), d('child_life_time')]).toEqual([
      9999, 9898, 32, 4, 300,
    ]);
    expect([
      d('insert_lock'),
      d('failover_on_backend_shutdown'),
      d('backend_weight'),
      d('connect_timeout'),
    ]).toEqual([true, true, 0, 10000]);
    expect([
      d('reset_query_list'),
      d('sr_check_user'),
      d('health_check_timeout'),
      d('recovery_timeout'),
    ]).toEqual([['ABORT', 'DISCARD ALL'], 'nobody', 20, 90]);
    expect(d('backend_clustering_mode')).toBe('streaming_replication');
  });

  it('every contract field is a registry parameter marked implemented (except use_watchdog)', () => {
    for (const k of CONTRACT_KEYS) expect(getParam(k)?.implemented, k).toBe(k !== 'use_watchdog');
  });

  it('suggests the closest known name for typos only', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    const names = PARAMETERS.map((p) => p.name);
    expect(suggestName('num_init_childs', names)).toBe('num_init_children');
    expect(suggestName('PORT', names)).toBe('port');
    expect(suggestName('totally_unrelated_thing', names)).toBeNull();
  });

  it('collect() files indexed names by node and reports out-of-range node numbers', () => {
    const sink = new DiagnosticSink();
    const c = collect(
      [
        { key: 'backend_port3', value: '5432', token: 'integer', file: 'f', line: 1 },
        { key: 'backend_port128', value: '5432', token: 'integer', file: 'f', line: 2 },
      ],
      sink,
    );
    expect(c.arrays.get('backend_port')?.get(3)?.value).toBe(5432);
    expect(sink.all.map((d) => d.format())).toEqual([
      'f:2: backend_port128: node number 128 is out of range (0..127)',
    ]);
  });
});
