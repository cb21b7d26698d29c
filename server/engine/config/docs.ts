/**
 * The configuration reference, generated from the parameter registry so the documentation cannot drift from what
 * the loader accepts. Grouped by domain; old names listed with their replacement.
 */
import { ALIASES } from './aliases';
import { formatParamValue, PARAMETERS, type ParamDef } from './registry';

const CONTEXT: Record<ParamDef['context'], string> = {
  INIT: 'restart',
  RELOAD: 'reload',
  SESSION: 'reload, PGPOOL SET',
};
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function name(p: ParamDef): string {
  if (p.array === 'health_check') return `\`${p.name}\`, \`${p.name}N\``;
  return p.array ? `\`${p.name}N\`` : `\`${p.name}\``;
}

function defaultText(p: ParamDef): string {
  if (p.name === 'backend_port') return '(required)';
  if (p.name === 'data_directory') return "'' (= pgpool.conf dir/pgwarden-data)";
  const v = formatParamValue(p, p.default);
  return p.kind === 'string' || p.kind === 'list' || p.kind === 'enum' ? `'${v}'` : v;
}

function typeText(p: ParamDef): string {
  const max = (n: number | undefined) =>
    n === 2147483647 ? 'INT_MAX' : n === Number.MAX_SAFE_INTEGER ? '2^53-1' : String(n);
  switch (p.kind) {
    case 'int':
      return `integer ${p.min}..${max(p.max)}${p.unit ? ` (${p.unit})` : ''}`;
    case 'real':
      return `real ${p.min}..${max(p.max)}`;
    case 'enum':
      return (p.values ?? []).join(' | ');
    case 'list':
      return `list ('${p.separator}')`;
    default:
      return p.kind === 'bool' ? 'boolean' : 'string';
  }
}

/** The configuration reference as markdown (printed by scripts/gen-config-docs.ts for the README). */
export function renderConfigReference(): string {
  const lines: string[] = [
    '# pgwarden configuration reference',
    '',
    'pgwarden reads pgpool-II 4.3 `pgpool.conf` files unchanged: same names, syntax, units and defaults (the pgpool',
    'code defaults, which differ from the shipped sample in a few places). Parameters marked *not yet* are accepted',
    'and validated but have no effect: setting one to a non-default value prints a warning. *pgwarden* marks',
    "pgwarden's own parameters. Changes: *restart* needs a restart, *reload* is applied by `pgwarden reload` (SIGHUP).",
    '',
    'Run `pgwarden --check-config -f pgpool.conf` to validate a file without connecting to anything.',
  ];

  const domains = [...new Set(PARAMETERS.map((p) => p.domain))];
  for (const domain of domains) {
    lines.push(
      '',
      `## ${domain}`,
      '',
      '| Parameter | Type | Default | Change | Status | Description |',
      '|---|---|---|---|---|---|',
    );
    for (const p of PARAMETERS.filter((x) => x.domain === domain)) {
      const type = typeText(p);
      const status = p.pgwarden ? 'pgwarden' : p.implemented ? 'yes' : 'not yet';
      lines.push(
        `| ${name(p)} | ${cell(type)} | ${cell(defaultText(p))} | ${CONTEXT[p.context]} | ${status} | ${cell(p.doc)} |`,
      );
    }
  }

  lines.push(
    '',
    '## Old names',
    '',
    'Accepted with a deprecation warning that names the replacement.',
    '',
    '| Old name | Meaning |',
    '|---|---|',
  );
  for (const [old, a] of Object.entries(ALIASES)) {
    const meaning =
      a.kind === 'rename'
        ? `renamed \`${a.to}\` (pgpool-II ${a.since})`
        : a.kind === 'mode'
          ? 'folded into `backend_clustering_mode`'
          : a.kind === 'legacy-watchdog'
            ? `pgpool-II 3.x watchdog name, converted to ${a.modern}`
            : `obsolete, ignored: ${a.note}`;
    lines.push(`| \`${old}${a.kind === 'legacy-watchdog' && a.indexed ? 'N' : ''}\` | ${cell(meaning)} |`);
  }

  return lines.join('\n') + '\n';
}
