import { describe, expect, it } from 'vitest';
import { parseArgs, parseMode } from './args';
import { resolveConfigPaths } from './paths';

describe('pgpool-style command line', () => {
  it('reads short, bundled, glued and long options in any position', () => {
    const p = parseArgs([
      '-nD',
      '-f/etc/x/pgpool.conf',
      '--pcp-file',
      'pcp.conf',
      'stop',
      '-m',
      'f',
      '--hba-file=hba.conf',
      '-d',
    ]);
    expect(p.error).toBeNull();
    expect(p.command).toBe('stop');
    expect(p.options).toMatchObject({
      dontDetach: true,
      discardStatus: true,
      configFile: '/etc/x/pgpool.conf',
      pcpFile: 'pcp.conf',
      hbaFile: 'hba.conf',
      mode: 'fast',
      debug: true,
    });
  });

  it('knows pgwarden options and pgpool compatibility flags', () => {
    const p = parseArgs(['--no-dashboard', '--check-config', '-C', '-x', '-k', 'key']);
    expect(p.options).toMatchObject({
      noDashboard: true,
      checkConfig: true,
      clearOidmaps: true,
      debugAssertions: true,
      keyFile: 'key',
    });
    expect(parseArgs(['-h']).options.help).toBe(true);
    expect(parseArgs(['--version']).options.version).toBe(true);
  });

  it('reports bad options, missing values and bad modes', () => {
    expect(parseArgs(['-q']).error).toBe("invalid option -- 'q'");
    expect(parseArgs(['--frob']).error).toBe("unrecognized option '--frob'");
    expect(parseArgs(['-f']).error).toBe('option -f requires an argument');
    expect(parseArgs(['-m', 'slow', 'stop']).error).toBe(
      'invalid shutdown mode "slow" (smart, fast or immediate)',
    );
  });

  it('shutdown modes: full word or first letter, default smart', () => {
    expect(['smart', 's', 'fast', 'f', 'immediate', 'i', 'x'].map(parseMode)).toEqual([
      'smart',
      'smart',
      'fast',
      'fast',
      'immediate',
      'immediate',
      null,
    ]);
    expect(parseArgs(['stop']).options.mode).toBe('smart');
  });

  it('default files: -f, then PGWARDEN_CONFIG, then /etc/pgpool2/pgpool.conf', () => {
    expect(resolveConfigPaths(parseArgs([]).options, {}).pgpoolConf).toBe('/etc/pgpool2/pgpool.conf');
    expect(resolveConfigPaths(parseArgs([]).options, { PGWARDEN_CONFIG: '/srv/p.conf' }).pgpoolConf).toBe(
      '/srv/p.conf',
    );
    const p = resolveConfigPaths(parseArgs(['-f', '/a/b.conf', '-F', '/c/pcp.conf']).options, {
      PGWARDEN_CONFIG: '/srv/p.conf',
    });
    expect(p).toEqual({
      pgpoolConf: '/a/b.conf',
      pcpConf: '/c/pcp.conf',
      hbaConf: undefined,
      poolKeyFile: undefined,
    });
  });
});
