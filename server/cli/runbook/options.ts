/**
 * Connection options of the runbook subcommands, spelled as pgpool's pcp_* tools (reference §1.7): -h/--host,
 * -p/--port, -U/--username, -w/--no-password, -W/--password, plus --json. Password: PCPPASSFILE / ~/.pcppass
 * (pcppass.ts), else a prompt on a terminal unless -w, else empty (md5 of "", as libpcp sends).
 */
import { userInfo } from 'node:os';
import { lookupPcpPass } from '../../engine/pcp/pcppass';

export interface RunbookOptions {
  host: string | undefined;
  port: number;
  user: string;
  noPassword: boolean;
  forcePrompt: boolean;
  json: boolean;
  verbose: boolean;
  /** Subcommand flags (--graceful, --switchover, ...), by long name. */
  flags: Set<string>;
  /** Positional arguments after the subcommand. */
  args: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const SHORT: Record<string, string> = {
  h: 'host',
  p: 'port',
  U: 'username',
  w: 'no-password',
  W: 'password',
  n: 'node-id',
  g: 'graceful',
  s: 'switchover',
  v: 'verbose',
};
const WITH_VALUE = new Set(['host', 'port', 'username', 'node-id']);

/** Parse argv after the subcommand name. `allowedFlags` are the subcommand's own boolean long options. */
export function parseRunbookArgs(
  argv: readonly string[],
  allowedFlags: readonly string[] = [],
): RunbookOptions {
  const env = process.env;
  const o: RunbookOptions = {
    host: undefined,
    port: 9898,
    user: env.PCPUSER ?? userInfo().username,
    noPassword: false,
    forcePrompt: false,
    json: false,
    verbose: false,
    flags: new Set(),
    args: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else if (a.startsWith('-') && a.length >= 2 && !/^-\d/.test(a)) {
      const long = SHORT[a[1]!];
      if (!long) throw new UsageError(`unknown option ${a}`);
      name = long;
      inline = a.length > 2 ? a.slice(2) : undefined;
    } else {
      o.args.push(a);
      continue;
    }
    let value: string | undefined;
    if (WITH_VALUE.has(name)) {
      value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    switch (name) {
      case 'host':
        o.host = value;
        break;
      case 'port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port <= 0 || port > 65535)
          throw new UsageError(`invalid port number: ${value}`);
        o.port = port;
        break;
      }
      case 'username':
        o.user = value!;
        break;
      case 'node-id':
        o.args.unshift(value!);
        break;
      case 'no-password':
        o.noPassword = true;
        break;
      case 'password':
        o.forcePrompt = true;
        break;
      case 'json':
        o.json = true;
        break;
      case 'verbose':
        o.verbose = true;
        break;
      default:
        if (!allowedFlags.includes(name)) throw new UsageError(`unknown option --${name}`);
        o.flags.add(name);
    }
  }
  return o;
}

/** The node id argument (positional or -n), validated. */
export function nodeIdArg(o: RunbookOptions): number {
  const raw = o.args[0];
  if (raw === undefined) throw new UsageError('missing node id');
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 0) throw new UsageError(`invalid node id: ${raw}`);
  return id;
}

async function prompt(): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Do not echo the password: swallow what readline would write after the prompt.
  const out = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write('Password: ');
  out._writeToOutput = () => undefined;
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function resolvePassword(o: RunbookOptions): Promise<string> {
  if (!o.forcePrompt) {
    const fromFile = lookupPcpPass({ host: o.host, port: o.port, user: o.user });
    if (fromFile !== null) return fromFile;
    if (o.noPassword || !process.stdin.isTTY) return '';
  }
  return prompt();
}
