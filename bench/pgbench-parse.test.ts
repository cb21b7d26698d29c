// Parser tests on verbatim pgbench 15.20 output (captured from real runs, not hand-written).

import { describe, expect, it } from 'vitest';

import { parsePgbench, pgbenchArgs } from './pgbench';

const NORMAL = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 1
query mode: simple
number of clients: 4
number of threads: 2
maximum number of tries: 1
duration: 1 s
number of transactions actually processed: 11039
number of failed transactions: 0 (0.000%)
latency average = 0.352 ms
initial connection time = 35.016 ms
tps = 11374.795333 (without initial connection time)
`;

const RECONNECT = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 1
query mode: simple
number of clients: 2
number of threads: 2
maximum number of tries: 1
duration: 1 s
number of transactions actually processed: 76
number of failed transactions: 0 (0.000%)
latency average = 26.748 ms
average connection time = 18.649 ms
tps = 74.770916 (including reconnection times)
`;

const ABORTED_OUT = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 1
query mode: simple
number of clients: 2
number of threads: 2
maximum number of tries: 1
duration: 3 s
number of transactions actually processed: 15506
number of failed transactions: 0 (0.000%)
latency average = 0.386 ms
initial connection time = 12.255 ms
tps = 5184.468928 (without initial connection time)
`;
const ABORTED_ERR = `pgbench: error: client 0 script 0 aborted in command 1 query 0: FATAL:  terminating connection due to administrator command
pgbench: error: Run was aborted; the above results are incomplete.
`;

const SETUP_FAILED_ERR = `pgbench: error: could not count number of branches: ERROR:  relation "pgbench_branches" does not exist
LINE 1: select count(*) from pgbench_branches
                             ^
pgbench: hint: Perhaps you need to do initialization ("pgbench -i") in database "empty".
`;

// pgbench 13/14 printed two TPS lines; the one excluding connection establishment is the comparable one.
const PG14_TAIL = `latency average = 0.500 ms
tps = 1900.5 (including connections establishing)
tps = 2000.25 (excluding connections establishing)
`;

describe('parsePgbench', () => {
  it('reads TPS without initial connection time, latency, counts', () => {
    expect(parsePgbench(NORMAL)).toEqual({
      tps: 11374.795333,
      latencyMs: 0.352,
      processed: 11039,
      failed: 0,
      connectionMs: 35.016,
      aborted: false,
    });
  });

  it('reads the -C line (including reconnection times) and the average connection time', () => {
    const r = parsePgbench(RECONNECT);
    expect(r.tps).toBe(74.770916);
    expect(r.connectionMs).toBe(18.649);
    expect(r.latencyMs).toBe(26.748);
  });

  it('flags an aborted run even though a TPS line was printed', () => {
    const r = parsePgbench(ABORTED_OUT, ABORTED_ERR);
    expect(r.aborted).toBe(true);
    expect(r.tps).toBe(5184.468928);
  });

  it('returns nulls when pgbench failed before running', () => {
    expect(parsePgbench('pgbench (15.20 (Debian 15.20-0+deb12u1))\n', SETUP_FAILED_ERR)).toMatchObject({
      tps: null,
      latencyMs: null,
      aborted: false,
    });
  });

  it('prefers the "excluding connections establishing" TPS of older pgbench', () => {
    expect(parsePgbench(PG14_TAIL).tps).toBe(2000.25);
  });
});

describe('pgbenchArgs', () => {
  it('builds -S -C with -j capped by the client count', () => {
    const args = pgbenchArgs(
      { workload: 'select-only', mode: 'prepared', clients: 1, connect: true },
      { host: '127.0.0.1', port: 5432, seconds: 3 },
    );
    expect(args.join(' ')).toBe('-h 127.0.0.1 -p 5432 -U postgres -n -T 3 -c 1 -j 1 -M prepared -S -C bench');
  });
});
