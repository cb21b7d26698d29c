/**
 * The runbook subcommands of `pgwarden` (nodes, node-info, attach, detach, recover, promote, watchdog, reload):
 * PCP clients, with pcp_*'s -h -p -U -w options, --json, and exit statuses that say what happened:
 * 0 done, 1 the server refused or the action failed, 2 usage error, 3 could not connect or authenticate.
 *
 * server/cli/commands.ts dispatches to them (`pgwarden nodes --json -h 127.0.0.1 -p 9898 -U admin -w`).
 */
import { PcpClient, PcpServerError } from '../../engine/pcp/client';
import { attach } from './attach';
import { detach } from './detach';
import { nodeInfo } from './node-info';
import { nodes } from './nodes';
import { parseRunbookArgs, resolvePassword, UsageError, type RunbookOptions } from './options';
import { promote } from './promote';
import { recover } from './recover';
import { reload } from './reload';
import { EXIT, type RunbookCommand, type RunbookIo } from './types';
import { watchdog } from './watchdog';

export { EXIT, type RunbookCommand, type RunbookIo } from './types';

export const runbookCommands: Readonly<Record<string, RunbookCommand>> = Object.fromEntries(
  [nodes, nodeInfo, attach, detach, recover, promote, watchdog, reload].map((c) => [c.name, c]),
);

export function isRunbookCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(runbookCommands, name);
}

const consoleIo: RunbookIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

export function runbookHelp(): string {
  const lines = Object.values(runbookCommands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Runbook subcommands (PCP clients; password from PCPPASSFILE or ~/.pcppass):\n${lines.join('\n')}`;
}

export async function runRunbook(
  name: string,
  argv: readonly string[],
  io: RunbookIo = consoleIo,
): Promise<number> {
  const cmd = runbookCommands[name];
  if (!cmd) {
    io.err(`unknown subcommand "${name}"\n${runbookHelp()}`);
    return EXIT.usage;
  }
  if (argv.includes('--help')) {
    io.out(`usage: pgwarden ${cmd.usage}\n${cmd.summary}`);
    return EXIT.ok;
  }
  let opts: RunbookOptions;
  try {
    opts = parseRunbookArgs(argv, cmd.flags);
    cmd.check?.(opts);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`pgwarden ${name}: ${e.message}\nusage: pgwarden ${cmd.usage}`);
    return EXIT.usage;
  }
  const json = opts.json;
  const fail = (code: number, error: Record<string, unknown>, text: string): number => {
    if (json) io.out(JSON.stringify({ ok: false, error }));
    io.err(text);
    return code;
  };

  let client: PcpClient;
  try {
    const password = await resolvePassword(opts);
    client = await PcpClient.connect({ host: opts.host, port: opts.port, user: opts.user, password });
  } catch (e) {
    if (e instanceof PcpServerError) return fail(EXIT.connection, { ...e.fields }, e.format());
    const where =
      opts.host && !opts.host.startsWith('/') ? `${opts.host}:${opts.port}` : `socket port ${opts.port}`;
    const msg = e instanceof Error ? e.message : String(e);
    return fail(EXIT.connection, { message: msg }, `could not connect to PCP at ${where}: ${msg}`);
  }
  try {
    const humanIo: RunbookIo = json ? { out: () => undefined, err: (l) => io.err(l) } : io;
    const result = await cmd.run(client, opts, humanIo);
    if (json) io.out(JSON.stringify({ ok: true, ...(result as Record<string, unknown>) }));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof PcpServerError) return fail(EXIT.refused, { ...e.fields }, e.format());
    const msg = e instanceof Error ? e.message : String(e);
    return fail(EXIT.refused, { message: msg }, `pgwarden ${name}: ${msg}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}
