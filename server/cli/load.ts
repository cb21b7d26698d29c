/** Loading the configuration for a CLI command and printing its diagnostics the way pgpool prints them. */
import { loadConfig, type LoadConfigResult } from '../engine/config/index';
import type { ConfigPaths } from './paths';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

export function loadForCli(paths: ConfigPaths, debug = false): LoadConfigResult {
  return loadConfig({
    pgpoolConf: paths.pgpoolConf,
    pcpConf: paths.pcpConf,
    hbaConf: paths.hbaConf,
    poolKeyFile: paths.poolKeyFile,
    // pgpool -d: "Override debug level ... adjust the log_min_messages config variable" to DEBUG1.
    ...(debug ? { overrides: { log_min_messages: 'debug1' } } : {}),
  });
}

export function printDiagnostics(r: LoadConfigResult, io: CliIo): void {
  for (const w of r.warnings) io.err(`WARNING:  ${w.format()}`);
  for (const e of r.errors) io.err(`ERROR:  ${e.format()}`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `--check-config`: parse and validate every file, connect to nothing; 0 = no error (warnings allowed). */
export function checkConfigCommand(paths: ConfigPaths, io: CliIo = consoleIo): number {
  const r = loadForCli(paths);
  printDiagnostics(r, io);
  const counts = `${plural(r.errors.length, 'error')}, ${plural(r.warnings.length, 'warning')}`;
  if (r.errors.length > 0) {
    io.err(`pgwarden: configuration file ${paths.pgpoolConf} test failed (${counts})`);
    return 1;
  }
  io.out(`pgwarden: configuration file ${paths.pgpoolConf} test is successful (${counts})`);
  return 0;
}
