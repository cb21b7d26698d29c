/**
 * Stand-alone entry for the runbook subcommands until server/cli.ts dispatches to them:
 *   node --import tsx server/cli/runbook/main.ts nodes --json -h 127.0.0.1 -p 9898 -U admin -w
 */
import { isRunbookCommand, runbookHelp, runRunbook } from './index';

const [name, ...rest] = process.argv.slice(2);
if (!isRunbookCommand(name)) {
  process.stderr.write(runbookHelp() + '\n');
  process.exitCode = name === undefined || name === '--help' ? 0 : 2;
} else {
  process.exitCode = await runRunbook(name, rest);
}
