import { describe, expect, it } from 'vitest';
import { lsnToBytes, standbyDelayBytes } from './lsn';

describe("pgpool's LSN to bytes quirk (reference §5)", () => {
  it('uses X * (0xffffffff - 16 MiB) + Y', () => {
    expect(lsnToBytes('0/3000060')).toBe(0x3000060n);
    expect(lsnToBytes('1/0')).toBe(0xffffffffn - 16777216n);
    expect(lsnToBytes('2/10')).toBe(2n * (0xffffffffn - 16777216n) + 16n);
    expect(lsnToBytes('nope')).toBeNull();
  });
  it('delay is max(0, primary - standby)', () => {
    expect(standbyDelayBytes('0/3000100', '0/3000000')).toBe(256);
    expect(standbyDelayBytes('0/3000000', '0/3000100')).toBe(0);
    // The quirk: just across a log-id boundary the primary can look "behind"; pgpool then reports 0.
    expect(standbyDelayBytes('1/0', '0/FFFFFF00')).toBe(0);
  });
});
