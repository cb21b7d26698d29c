/**
 * pgpool-II's command line (`pgpool [options] [stop|reload]`, getopt "a:df:k:F:hm:nDCxv" plus long names) and
 * pgwarden's additions (--no-dashboard, --check-config). Options may come before or after the command, short
 * options may be bundled (`-nD`) or glued to their value (`-f/etc/x.conf`), as getopt allows.
 */
export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface CliOptions {
  configFile?: string;
  pcpFile?: string;
  hbaFile?: string;
  keyFile?: string;
  dontDetach: boolean;
  discardStatus: boolean;
  debug: boolean;
  mode: ShutdownMode;
  help: boolean;
  version: boolean;
  noDashboard: boolean;
  checkConfig: boolean;
  /** pgpool -C (memcached oid maps) and -x (assertions): accepted for compatibility, no effect. */
  clearOidmaps: boolean;
  debugAssertions: boolean;
}

export interface ParsedArgs {
  options: CliOptions;
  /** First non-option word (stop, reload, ...), null = start. */
  command: string | null;
  args: string[];
  error: string | null;
}

const WITH_VALUE: Record<string, keyof CliOptions> = {
  a: 'hbaFile',
  f: 'configFile',
  F: 'pcpFile',
  k: 'keyFile',
  m: 'mode',
};
const FLAGS: Record<string, keyof CliOptions> = {
  d: 'debug',
  h: 'help',
  n: 'dontDetach',
  D: 'discardStatus',
  C: 'clearOidmaps',
  x: 'debugAssertions',
  v: 'version',
};
const LONG: Record<string, string> = {
  'hba-file': 'a',
  'config-file': 'f',
  'pcp-file': 'F',
  'key-file': 'k',
  mode: 'm',
  debug: 'd',
  help: 'h',
  'dont-detach': 'n',
  'discard-status': 'D',
  'clear-oidmaps': 'C',
  'debug-assertions': 'x',
  version: 'v',
};

/** pgpool accepts the full word or its first letter (`-m f`). */
export function parseMode(v: string): ShutdownMode | null {
  if (v === 'smart' || v === 's') return 'smart';
  if (v === 'fast' || v === 'f') return 'fast';
  if (v === 'immediate' || v === 'i') return 'immediate';
  return null;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: CliOptions = {
    dontDetach: false,
    discardStatus: false,
    debug: false,
    mode: 'smart',
    help: false,
    version: false,
    noDashboard: false,
    checkConfig: false,
    clearOidmaps: false,
    debugAssertions: false,
  };
  const positional: string[] = [];
  let error: string | null = null;
  const set = (letter: string, value: string | undefined): void => {
    const key = WITH_VALUE[letter];
    if (key) {
      if (value === undefined || value === '') {
        error ??= `option -${letter} requires an argument`;
        return;
      }
      if (key === 'mode') {
        const m = parseMode(value);
        if (m) options.mode = m;
        else error ??= `invalid shutdown mode "${value}" (smart, fast or immediate)`;
      } else (options as unknown as Record<string, string>)[key] = value;
      return;
    }
    const flag = FLAGS[letter];
    if (flag) (options as unknown as Record<string, boolean>)[flag] = true;
    else error ??= `invalid option -- '${letter}'`;
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--no-dashboard') options.noDashboard = true;
    else if (a === '--check-config') options.checkConfig = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const letter = LONG[name];
      if (!letter) error ??= `unrecognized option '${a}'`;
      else if (WITH_VALUE[letter]) set(letter, eq < 0 ? argv[++i] : a.slice(eq + 1));
      else set(letter, undefined);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j]!;
        if (WITH_VALUE[letter]) {
          set(letter, j + 1 < a.length ? a.slice(j + 1) : argv[++i]);
          break;
        }
        set(letter, undefined);
      }
    } else positional.push(a);
  }
  const [command = null, ...args] = positional;
  return { options, command, args, error };
}
