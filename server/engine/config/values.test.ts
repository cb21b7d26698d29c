import { describe, expect, it } from 'vitest';
import { coerceEnum, coerceInt, coerceReal, parseBool, splitList } from './values';

describe('booleans', () => {
  it.each([
    ['on', true],
    ['off', false],
    ['true', true],
    ['false', false],
    ['yes', true],
    ['no', false],
    ['1', true],
    ['0', false],
    ['ON', true],
    ['Off', false],
    ['t', true],
    ['f', false],
    ['y', true],
    ['n', false],
    ['tr', true],
    ['of', false],
  ])('%s -> %s', (raw, v) => expect(parseBool(raw)).toBe(v));

  it.each(['o', '', '2', 'maybe', 'onn', 'yess'])('rejects %j (ambiguous or unknown)', (raw) =>
    expect(parseBool(raw)).toBeNull(),
  );
});

describe('integers with units', () => {
  it('converts units to the base unit and rounds like PostgreSQL', () => {
    expect(coerceInt('5min', 0, 1e9, 's')).toEqual({ ok: true, value: 300 });
    expect(coerceInt('10s', 0, 1e9, 'ms')).toEqual({ ok: true, value: 10000 });
    expect(coerceInt('1d', 0, 1e9, 'min')).toEqual({ ok: true, value: 1440 });
    expect(coerceInt('1500ms', 0, 1e9, 's')).toEqual({ ok: true, value: 2 });
    expect(coerceInt('1GB', 0, 1e12, 'B')).toEqual({ ok: true, value: 1073741824 });
    expect(coerceInt('10MB', 0, 1e12, 'kB')).toEqual({ ok: true, value: 10240 });
    expect(coerceInt('0x10', 0, 100)).toEqual({ ok: true, value: 16 });
    expect(coerceInt('0600', 0, 511)).toEqual({ ok: true, value: 384 });
    expect(coerceInt(' 42 ', 0, 100)).toEqual({ ok: true, value: 42 });
  });

  it('explains bad values with the accepted range', () => {
    expect(coerceInt('abc', 1, 65535)).toEqual({
      ok: false,
      reason: "invalid value 'abc': expected an integer between 1 and 65535",
    });
    expect(coerceInt('70000', 1, 65535)).toEqual({
      ok: false,
      reason: "invalid value '70000': expected an integer between 1 and 65535",
    });
    expect(coerceInt('1.5', 1, 65535)).toMatchObject({ ok: false });
    expect(coerceInt('5min', 1, 65535)).toEqual({
      ok: false,
      reason: "invalid value '5min': expected an integer between 1 and 65535 (this parameter takes no unit)",
    });
    expect(coerceInt('5parsecs', 0, 10, 's')).toEqual({
      ok: false,
      reason:
        'invalid value \'5parsecs\': valid units for this parameter are "us", "ms", "s", "min", "h", "d"',
    });
    expect(coerceInt('5MB', 0, 10, 's')).toMatchObject({ ok: false });
  });
});

describe('reals, enums, lists', () => {
  it('reals are range-checked', () => {
    expect(coerceReal('0.25', 0, 1)).toEqual({ ok: true, value: 0.25 });
    expect(coerceReal('-1', 0, 1)).toEqual({
      ok: false,
      reason: "invalid value '-1': expected a number between 0 and 1",
    });
  });

  it('enums are case-insensitive, return the canonical spelling and accept legacy spellings', () => {
    expect(coerceEnum('Native_Replication', ['streaming_replication', 'native_replication'])).toEqual({
      ok: true,
      value: 'native_replication',
    });
    expect(coerceEnum('on', ['catalog', 'none'], { on: 'catalog' })).toEqual({ ok: true, value: 'catalog' });
    expect(coerceEnum('x', ['a', 'b'])).toEqual({
      ok: false,
      reason: "invalid value 'x': expected one of a, b",
    });
  });

  it('lists split on their separator, trim and drop empty items', () => {
    expect(splitList('ABORT; DISCARD ALL;', ';')).toEqual(['ABORT', 'DISCARD ALL']);
    expect(splitList(' nextval , setval,', ',')).toEqual(['nextval', 'setval']);
    expect(splitList('', ',')).toEqual([]);
  });
});
