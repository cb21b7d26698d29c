/**
 * Minimal structured logger. pgpool prints `LOG:  ...`/`WARNING:  ...`; we keep the same level words so a DBA's
 * grep habits (`grep "DB node id"`) keep working, prefixed with an ISO time.
 */
export type LogLevel = 'debug' | 'info' | 'log' | 'warning' | 'error' | 'fatal';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, log: 2, warning: 3, error: 4, fatal: 5 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  log(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  component?: string;
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'log'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const component = opts.component;
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    const tag = level === 'warning' ? 'WARNING' : level.toUpperCase();
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
    write(`${new Date().toISOString()} ${component ? `[${component}] ` : ''}${tag}:  ${msg}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    log: (m, f) => emit('log', m, f),
    warn: (m, f) => emit('warning', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger({ ...opts, component: component ? `${component}/${c}` : c }),
  };
}

/** A logger that drops everything (for unit tests that do not assert on logs). */
export const silentLogger: Logger = createLogger({ level: 'fatal', write: () => undefined });
