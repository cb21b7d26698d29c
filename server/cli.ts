/**
 * The `pgwarden` command (bin/pgwarden.mjs runs this file, or dist/cli.js once built): pgpool-II's command line
 * plus --check-config, --no-dashboard and the runbook subcommands. Dispatch lives in server/cli/commands.ts.
 */
import { dispatch } from './cli/commands';

try {
  process.exitCode = await dispatch(process.argv.slice(2));
} catch (e) {
  // An engine error carries its reason in message (ARCHITECTURE.md rule 5); print it the way pgpool prints FATAL.
  process.stderr.write(`FATAL:  ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.PGWARDEN_DEBUG_STACK) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
  process.exitCode = 1;
}
