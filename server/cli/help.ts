/** `pgwarden --help` and `--version`, laid out like pgpool's usage() so its users find their options. */
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_DIR } from './paths';

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    if (pkg.version) return pkg.version;
  } catch {
    // dist/ and server/ both sit one level below package.json; anything else is a broken install.
  }
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function usage(extraCommands: string): string {
  return `pgwarden ${version()}, a PostgreSQL high-availability middleware compatible with pgpool-II 4.3

Usage:
  pgwarden [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ] [ -k KEY_FILE ]
           [ -n ] [ -D ] [ -d ] [ --no-dashboard ]
  pgwarden [ -f CONFIG_FILE ] --check-config
  pgwarden [ -f CONFIG_FILE ] [ -m SHUTDOWN-MODE ] stop
  pgwarden [ -f CONFIG_FILE ] reload

Common options:
  -a, --hba-file=HBA_CONFIG_FILE    pool_hba.conf (default: next to pgpool.conf)
  -f, --config-file=CONFIG_FILE     pgpool.conf (default: $PGWARDEN_CONFIG, else ${DEFAULT_CONFIG_DIR}/pgpool.conf)
  -F, --pcp-file=PCP_CONFIG_FILE    pcp.conf (default: next to pgpool.conf)
  -k, --key-file=KEY_FILE           key for AES entries of pool_passwd (default: $PGPOOLKEYFILE, else ~/.pgpoolkey)
  -h, --help                        print this help
  -v, --version                     print the version

Start options:
  -n, --dont-detach                 stay in the foreground (without it: run in the background, log to logdir/pgwarden.log)
  -D, --discard-status              ignore the saved node statuses (pgpool_status)
  -d, --debug                       debug logging (log_min_messages = debug1)
      --no-dashboard                do not start the dashboard and control API
      --check-config                check every configuration file, print warnings and errors, connect to nothing;
                                    exit 0 when there is no error (like nginx -t)
  -C, -x                            accepted for pgpool compatibility, no effect

Stop options:
  -m, --mode=SHUTDOWN-MODE          smart (SIGTERM: wait for clients), fast (SIGINT: disconnect them),
                                    immediate (SIGQUIT); default smart

Commands:
  stop                              stop the running pgwarden (pid from pid_file_name)
  reload                            make the running pgwarden re-read its configuration (SIGHUP)
${extraCommands}`;
}
