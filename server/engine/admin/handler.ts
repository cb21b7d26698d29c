/**
 * createAdminHandler: what the proxy calls when classify() set `cls.admin` (reference §2: only the simple-query path
 * intercepts them in 4.3.5; the proxy decides that). The context factory gives each command a fresh view of the
 * engine for the asking session. Unknown commands and thrown errors become ERROR responses, never a crash.
 */
import { ADMIN_COMMANDS } from './registry';
import type { AdminContext, AdminError, AdminResult, AdminSession } from './types';

export interface AdminHandler {
  handle(command: string, args: string[], session: AdminSession): AdminResult | AdminError;
}

export function createAdminHandler(ctxFactory: (session: AdminSession) => AdminContext): AdminHandler {
  return {
    handle(command, args, session) {
      const cmd = ADMIN_COMMANDS.get(command);
      if (!cmd) return { error: { sqlstate: '42601', message: `unsupported pgpool command "${command}"` } };
      try {
        return cmd.run(ctxFactory(session), args);
      } catch (e) {
        return {
          error: {
            sqlstate: 'XX000',
            message: `${command} failed: ${e instanceof Error ? e.message : String(e)}`,
          },
        };
      }
    },
  };
}
