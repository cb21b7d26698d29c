/**
 * Ordering of a statement sent to several nodes (native replication, reference §4.1). Both helpers block the
 * client until the last node has the statement, so later statements keep their order on every node.
 */
import type { BackendLink } from './backend-link';
import type { ClientSession } from './session';

/**
 * Writes run on the main node first and on the others once it finished there: sent everywhere at once, two
 * sessions could take the same row locks in opposite orders on different nodes, a deadlock no single PostgreSQL
 * can see.
 */
export function mainFirst(s: ClientSession, links: BackendLink[], replyFrom: number, msg: Buffer): true {
  const main = links.find((l) => l.nodeId === replyFrom) ?? links[0]!;
  s.newExpectation(main, true);
  s.writeBackend(main, msg);
  s.block();
  s.whenIdle(() => {
    for (const l of links) {
      if (l === main) continue;
      s.newExpectation(l, false);
      s.writeBackend(l, msg);
    }
    queueMicrotask(() => s.unblock());
  });
  return true;
}

/** COMMIT/ROLLBACK: the other nodes first, the main node once they answered (a replica failure is known first). */
export function othersFirst(s: ClientSession, links: BackendLink[], replyFrom: number, msg: Buffer): true {
  const main = links.find((l) => l.nodeId === replyFrom) ?? links[0]!;
  for (const l of links) {
    if (l === main) continue;
    s.newExpectation(l, false);
    s.writeBackend(l, msg);
  }
  s.block();
  s.whenIdle(() => {
    s.newExpectation(main, true);
    s.writeBackend(main, msg);
    queueMicrotask(() => s.unblock());
  });
  return true;
}
