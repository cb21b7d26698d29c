/**
 * `<logdir>/pgpool_status`: node statuses persisted across restarts in pgpool-II 4.3's text format (reference §3.1):
 * one line per node, `up` | `down` | `unused`; `waiting` is written as `up`; the file is not written when every node
 * is down (so a restart after a total outage probes everything again); a file in which no line says `up` is bogus and
 * every node starts `waiting`. Read at start-up unless discarded (`-D`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NodeStatus } from './types';

export const STATUS_FILE_NAME = 'pgpool_status';

export function statusFilePath(dir: string): string {
  return path.join(dir, STATUS_FILE_NAME);
}

/**
 * Parses the file for `nodeCount` nodes. Returns the start-up status of each node ('waiting' for `up`), or null when
 * the file is bogus (no `up` line) and every node should start waiting. Lines beyond nodeCount are ignored; missing
 * lines mean `waiting`.
 */
export function parseStatusFile(text: string, nodeCount: number): NodeStatus[] | null {
  const lines = text.split('\n').map((l) => l.trim());
  const out: NodeStatus[] = [];
  let anyUp = false;
  for (let i = 0; i < nodeCount; i++) {
    const l = lines[i] ?? '';
    if (l === 'up') {
      anyUp = true;
      out.push('waiting');
    } else if (l === 'down') out.push('down');
    else if (l === 'unused') out.push('unused');
    else out.push('waiting');
  }
  return anyUp ? out : null;
}

/** The file's text for these statuses, or null when it must not be written (every node down / none valid). */
export function formatStatusFile(statuses: NodeStatus[]): string | null {
  if (!statuses.some((s) => s === 'up' || s === 'waiting')) return null;
  return statuses.map((s) => (s === 'waiting' ? 'up' : s)).join('\n') + '\n';
}

export async function readStatusFile(
  dir: string,
  nodeCount: number,
): Promise<NodeStatus[] | null | 'missing'> {
  let text: string;
  try {
    text = await readFile(statusFilePath(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  return parseStatusFile(text, nodeCount);
}

/** Writes atomically (temp file + rename) so a crash never leaves a half-written file. Returns false when skipped. */
export async function writeStatusFile(dir: string, statuses: NodeStatus[]): Promise<boolean> {
  const text = formatStatusFile(statuses);
  if (text === null) return false;
  await mkdir(dir, { recursive: true });
  const file = statusFilePath(dir);
  const tmp = `${file}.tmp${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
  return true;
}

/** Serialises writes: status changes can come in bursts and the last one must win. */
export function createStatusWriter(
  dir: string,
  onError: (e: unknown) => void,
): (statuses: NodeStatus[]) => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return (statuses) => {
    const snapshot = [...statuses];
    chain = chain.then(async () => {
      try {
        await writeStatusFile(dir, snapshot);
      } catch (e) {
        onError(e);
      }
    });
    return chain;
  };
}
