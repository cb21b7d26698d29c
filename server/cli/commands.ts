/**
 * Subcommand dispatch: one table. A pgpool-style command (start, stop, reload) takes pgpool's options anywhere
 * on the line; the runbook subcommands (nodes, attach N, ...; server/cli/runbook) parse their own PCP options.
 * To add a command: add a row to BUILTINS, or a RunbookCommand to server/cli/runbook.
 *
 * `reload` exists in both: bare `pgwarden reload` is pgpool's (SIGHUP to the pid in pid_file_name); with PCP
 * connection options (-U, -w, -W, -p, --json, ...) it is the runbook's pcp_reload_config over PCP.
 */
import { parseArgs, type ParsedArgs } from './args';
import { usage, version } from './help';
import { checkConfigCommand, consoleIo, loadForCli, type CliIo } from './load';
import { resolveConfigPaths } from './paths';
import { pidFileFromConf } from './pid';
import { isRunbookCommand, runbookHelp, runRunbook } from './runbook/index';
import { reloadCommand, stopCommand } from './signal-commands';
import { startCommand } from './start';

export interface BuiltinCommand {
  summary: string;
  run(argv: readonly string[], parsed: ParsedArgs, io: CliIo): Promise<number>;
}

function pidFile(parsed: ParsedArgs): string | null {
  const paths = resolveConfigPaths(parsed.options);
  const r = loadForCli(paths);
  return pidFileFromConf(paths.pgpoolConf, r.config ? r.config.pid_file_name : null);
}

export const BUILTINS: Record<string, BuiltinCommand> = {
  start: {
    summary: 'start pgwarden (the default when no command is given)',
    run: (argv, p, io) => startCommand(argv, p.options, resolveConfigPaths(p.options), io),
  },
  stop: {
    summary: 'stop the running pgwarden',
    run: (_argv, p, io) => stopCommand(pidFile(p), p.options.mode, io),
  },
  reload: {
    summary: 'reload the configuration of the running pgwarden',
    run: async (_argv, p, io) => reloadCommand(pidFile(p), io),
  },
};

const PCP_OPTIONS = /^(-[UwWp]|--(json|username|no-password|password|port|host)(=.*)?)$/;

export async function dispatch(argv: readonly string[], io: CliIo = consoleIo): Promise<number> {
  const first = argv[0];
  const runbookReload = first === 'reload' && argv.slice(1).some((a) => PCP_OPTIONS.test(a));
  if (isRunbookCommand(first) && (!Object.hasOwn(BUILTINS, first) || runbookReload)) {
    return runRunbook(first, argv.slice(1));
  }
  const parsed = parseArgs(argv);
  if (parsed.options.help) {
    io.out(usage(runbookHelp()));
    return 0;
  }
  if (parsed.options.version) {
    io.out(`pgwarden version ${version()}`);
    return 0;
  }
  if (parsed.error) {
    io.err(`pgwarden: ${parsed.error}\nTry "pgwarden --help" for more information.`);
    return 2;
  }
  if (parsed.options.checkConfig) {
    if (parsed.command) io.err(`pgwarden: --check-config ignores the command "${parsed.command}"`);
    return checkConfigCommand(resolveConfigPaths(parsed.options), io);
  }
  const name = parsed.command ?? 'start';
  const cmd = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
  if (!cmd || parsed.args.length > 0) {
    io.err(
      `pgwarden: ${cmd ? `unexpected argument "${parsed.args[0]}"` : `unknown command "${name}"`}\nTry "pgwarden --help" for more information.`,
    );
    return 2;
  }
  // The daemon child gets our argv back with -n appended; `start` is implied, so pass the original words.
  return cmd.run(argv, parsed, io);
}
