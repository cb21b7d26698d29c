/** `pgwarden reload`: pcp_reload_config. */
import type { RunbookCommand } from './types';

export const reload: RunbookCommand = {
  name: 'reload',
  usage: 'reload [-h host] [-p port] [-U user] [-w] [--json]',
  summary: 'reload the configuration files',
  async run(client, _opts, io) {
    await client.reloadConfig('local');
    io.out('configuration reloaded');
    return { reloaded: true };
  },
};
