/**
 * A NodeChannel (executor.ts) over the session's backend connections. The session provides `send`: write one
 * simple Query to a node and hand every backend message of its reply to `onFrame` (ReadyForQuery last) instead of
 * forwarding it; the session must be quiescent (nothing else in flight) while the runner uses the channel.
 */
import { query as queryMessage } from '../protocol/frontend-builders';
import { BackendType } from '../protocol/constants';
import { summarizeReply, type NodeChannel, type NodeReply } from './executor';

export interface CaptureSender {
  /** Returns false when the node has no usable connection in this session. */
  send(nodeId: number, message: Buffer, onFrame: (frame: Buffer) => void): boolean;
}

export function createLinkChannel(sender: CaptureSender): NodeChannel {
  return {
    run(nodeId: number, sql: string): Promise<NodeReply> {
      return new Promise((resolve, reject) => {
        const frames: Buffer[] = [];
        const ok = sender.send(nodeId, queryMessage(sql), (frame) => {
          frames.push(frame);
          if (frame[0] === BackendType.ReadyForQuery) resolve(summarizeReply(nodeId, frames));
        });
        if (!ok) reject(new Error(`no connection to node ${nodeId}`));
      });
    },
  };
}
