/**
 * Failover timing breakdown for integration tests and the bench (issue #8): where the time from the kill of the
 * primary to the first write through pgwarden goes. Merges the engine's events (detach, failover_started,
 * failover_command start/end, primary_changed, failover_finished), the ms lines of scripts/examples/failover.sh's log,
 * and the client's own marks, each as milliseconds after the kill.
 */
import type { EngineEvent } from '../../state/types';

export interface TimelineInput {
  /** Time of the kill (ms since epoch). */
  t0: number;
  /** The failed node. */
  nodeId: number;
  events: EngineEvent[];
  /** Contents of a failover.sh log with `YYYY-MM-DD HH:MM:SS.mmm failover.sh: ...` lines (scripts/examples). */
  scriptLog?: string;
  /** Engine log lines (recordingLogger: ISO time first): the promotion watch's release of held sessions. */
  logLines?: string[];
  /** Client-side marks, label -> ms since epoch. */
  marks?: Record<string, number | undefined>;
}

export interface TimelineEntry {
  label: string;
  ms: number;
}

const SCRIPT_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) failover\.sh: (.*)$/;

export function failoverTimeline(input: TimelineInput): TimelineEntry[] {
  const { t0 } = input;
  const out: TimelineEntry[] = [];
  const add = (label: string, at: number | undefined): void => {
    if (at !== undefined && Number.isFinite(at)) out.push({ label, ms: at - t0 });
  };
  const evs = input.events.filter((e) => e.time.getTime() >= t0 - 1);
  const first = (pred: (e: EngineEvent) => boolean): EngineEvent | undefined => evs.find(pred);
  add(
    `node ${input.nodeId} detached`,
    first((e) => e.kind === 'node_status_changed' && e.nodeId === input.nodeId)?.time.getTime(),
  );
  add('failover_started', first((e) => e.kind === 'failover_started')?.time.getTime());
  const cmd = first(
    (e) =>
      e.kind === 'command_executed' &&
      e.nodeId === input.nodeId &&
      e.details?.commandKind === 'failover_command',
  );
  if (cmd) {
    const end = cmd.time.getTime();
    const dur = typeof cmd.details?.durationMs === 'number' ? cmd.details.durationMs : 0;
    add('failover_command start', end - dur);
    add('failover_command end', end);
  }
  for (const line of (input.scriptLog ?? '').split('\n')) {
    const m = SCRIPT_LINE.exec(line);
    if (!m) continue;
    const at = new Date(m[1]!.replace(' ', 'T')).getTime(); // local time, as the script's strftime
    if (at < t0 - 1000) continue;
    const what = m[2]!;
    if (what.startsWith('args:')) add('failover.sh: started', at);
    else if (what.startsWith('promoting')) add('failover.sh: pg_ctl promote', at);
    else if (what.startsWith('promoted')) add('failover.sh: in production', at);
  }
  for (const line of input.logLines ?? []) {
    const m = /^(\S+Z) .*node (\d+) answers as a primary while failover_command runs/.exec(line);
    const at = m ? Date.parse(m[1]!) : NaN;
    if (m && at >= t0) {
      add(`node ${m[2]} writable: held sessions released`, at);
      break;
    }
  }
  add('primary_changed', first((e) => e.kind === 'primary_changed')?.time.getTime());
  add('failover_finished', first((e) => e.kind === 'failover_finished')?.time.getTime());
  for (const [label, at] of Object.entries(input.marks ?? {})) add(label, at);
  return out.sort((a, b) => a.ms - b.ms);
}

/** One line: `kill +0 | node 0 detached +139 | ... ` */
export function formatTimeline(entries: TimelineEntry[]): string {
  return ['kill +0', ...entries.map((e) => `${e.label} +${e.ms}`)].join(' | ');
}
