import { describe, expect, it } from 'vitest';
import { nodeIdArg, parseRunbookArgs, UsageError } from './options';

describe('runbook options', () => {
  it('reads pcp_* style options in any order, short and long', () => {
    const o = parseRunbookArgs(
      ['2', '-h', '127.0.0.1', '-p9999', '--username=ops', '-w', '--json', '--graceful'],
      ['graceful'],
    );
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 9999,
      user: 'ops',
      noPassword: true,
      json: true,
      args: ['2'],
    });
    expect(o.flags.has('graceful')).toBe(true);
    expect(nodeIdArg(o)).toBe(2);
    expect(nodeIdArg(parseRunbookArgs(['-n', '1']))).toBe(1);
  });

  it('rejects unknown options, flags of other subcommands, bad ports and ids', () => {
    expect(() => parseRunbookArgs(['-x'])).toThrow(UsageError);
    expect(() => parseRunbookArgs(['--switchover'], ['graceful'])).toThrow('unknown option --switchover');
    expect(() => parseRunbookArgs(['-p', 'abc'])).toThrow('invalid port');
    expect(() => nodeIdArg(parseRunbookArgs([]))).toThrow('missing node id');
    expect(() => nodeIdArg(parseRunbookArgs(['x']))).toThrow('invalid node id');
  });
});
