/**
 * Configuration diagnostics: every warning and error names the file and line it came from, printed as
 * `file:line: key: reason` (ARCHITECTURE.md rule 6) so an operator can jump straight to the offending line.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based line; 0 when the problem is not tied to a line (missing file, cross-field check). */
  line: number;
  key?: string;
  message: string;
  severity: Severity;
  /** `file:line: key: reason` (line and key left out when unknown). */
  format(): string;
}

export function diag(
  severity: Severity,
  file: string,
  line: number,
  key: string | undefined,
  message: string,
): Diagnostic {
  return {
    file,
    line,
    ...(key === undefined ? {} : { key }),
    message,
    severity,
    format() {
      const where = line > 0 ? `${file}:${line}` : file;
      return key ? `${where}: ${key}: ${message}` : `${where}: ${message}`;
    },
  };
}

/** Collects diagnostics while loading; split into errors and warnings at the end. */
export class DiagnosticSink {
  readonly all: Diagnostic[] = [];

  error(file: string, line: number, key: string | undefined, message: string): void {
    this.all.push(diag('error', file, line, key, message));
  }

  warn(file: string, line: number, key: string | undefined, message: string): void {
    this.all.push(diag('warning', file, line, key, message));
  }

  push(d: Diagnostic): void {
    this.all.push(d);
  }

  get errors(): Diagnostic[] {
    return this.all.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.all.filter((d) => d.severity === 'warning');
  }
}
