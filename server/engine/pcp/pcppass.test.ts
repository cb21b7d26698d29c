import { describe, expect, it } from 'vitest';
import { matchPcpPass, parsePcpPassLine } from './pcppass';

describe('pcppass', () => {
  it('splits fields with escapes; the password keeps later colons', () => {
    expect(parsePcpPassLine('h:9898:u:p')).toEqual(['h', '9898', 'u', 'p']);
    expect(parsePcpPassLine('h\\:x:9898:u:p\\\\w:z')).toEqual(['h:x', '9898', 'u', 'p\\w:z']);
    expect(parsePcpPassLine('h:9898:u')).toBeNull();
  });

  it('matches the literal -h string, localhost for no -h or /tmp, * wildcards', () => {
    const file = ['# comment', '127.0.0.1:9898:admin:ip', 'localhost:9898:admin:local', '*:*:other:any'].join(
      '\n',
    );
    expect(matchPcpPass(file, { host: '127.0.0.1', port: 9898, user: 'admin' })).toBe('ip');
    expect(matchPcpPass(file, { host: undefined, port: 9898, user: 'admin' })).toBe('local');
    expect(matchPcpPass(file, { host: '/tmp', port: 9898, user: 'admin' })).toBe('local');
    expect(matchPcpPass(file, { host: '/var/run', port: 9898, user: 'admin' })).toBeNull();
    expect(matchPcpPass(file, { host: 'db', port: 1, user: 'other' })).toBe('any');
    expect(matchPcpPass(file, { host: 'localhost', port: 9899, user: 'admin' })).toBeNull();
  });
});
