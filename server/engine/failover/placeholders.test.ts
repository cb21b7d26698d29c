import { describe, expect, it } from 'vitest';
import { expandPlaceholders, type PlaceholderNode } from './placeholders';

const n0: PlaceholderNode = { id: 0, hostname: 'localhost', port: 11002, dataDirectory: '/tmp/pgt/s/data0' };
const n1: PlaceholderNode = { id: 1, hostname: 'localhost', port: 11003, dataDirectory: '/tmp/pgt/s/data1' };
const ALL = '…/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S';

describe('expandPlaceholders (reference §3.5)', () => {
  it('reproduces the captured detach of standby 1', () => {
    const out = expandPlaceholders(ALL, {
      node: n1,
      newMainId: 0,
      newMain: n0,
      oldMainId: 0,
      oldPrimaryId: 0,
      oldPrimary: n0,
    });
    expect(out).toBe(
      '…/failover.sh 1 localhost 11003 /tmp/pgt/s/data1 0 localhost 0 0 11002 /tmp/pgt/s/data0 localhost 11002',
    );
  });

  it('reproduces the captured pcp_promote_node -s 1 (primary 0)', () => {
    const out = expandPlaceholders(ALL, {
      node: n0,
      newMainId: 1,
      newMain: n1,
      oldMainId: 0,
      oldPrimaryId: 0,
      oldPrimary: n0,
    });
    expect(out).toBe(
      '…/failover.sh 0 localhost 11002 /tmp/pgt/s/data0 1 localhost 0 0 11003 /tmp/pgt/s/data1 localhost 11002',
    );
  });

  const none = { node: n1, newMainId: -1, newMain: null, oldMainId: 1, oldPrimaryId: -1, oldPrimary: null };
  it.each([
    ['%m %H %r %R', '-1 "" "" ""'],
    ['%P %N %S', '-1 "" ""'],
    ['100%%', '100%'],
    ['a%xb', 'ab'],
    ['%Z%d', '1'],
    ['tail %', 'tail '],
    ['%%d', '%d'],
    ['no placeholders', 'no placeholders'],
    ['%d%p', '111003'],
  ])('%s -> %s', (tpl, expected) => {
    expect(expandPlaceholders(tpl, none)).toBe(expected);
  });
});
