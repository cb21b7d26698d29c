/** `pgwarden watchdog`: pcp_watchdog_info, printed as the JSON the server sends. */
import type { RunbookCommand } from './types';

export const watchdog: RunbookCommand = {
  name: 'watchdog',
  usage: 'watchdog [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'watchdog cluster state',
  async run(client, _opts, io) {
    const info = await client.watchdogInfo(-1);
    io.out(JSON.stringify(info, null, 2));
    return { watchdog: info };
  },
};
