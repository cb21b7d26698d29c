import { describe, expect, it } from 'vitest';
import { commandComplete, readyForQuery } from '../protocol/backend-builders';
import { createLinkChannel } from './link-channel';

describe('createLinkChannel', () => {
  it('sends a Query and resolves with the reply summarised at ReadyForQuery', async () => {
    const sent: string[] = [];
    const ch = createLinkChannel({
      send(nodeId, message, onFrame) {
        sent.push(`${nodeId}:${message.subarray(5, -1).toString()}`);
        queueMicrotask(() => {
          onFrame(commandComplete('UPDATE 2'));
          onFrame(readyForQuery('T'));
        });
        return true;
      },
    });
    const r = await ch.run(1, 'UPDATE t SET a = 1');
    expect(sent).toEqual(['1:UPDATE t SET a = 1']);
    expect(r).toMatchObject({ nodeId: 1, status: 'T', outcome: { kind: 'C', tag: 'UPDATE 2' } });
  });

  it('rejects when the node has no connection', async () => {
    const ch = createLinkChannel({ send: () => false });
    await expect(ch.run(2, 'SELECT 1')).rejects.toThrow('no connection to node 2');
  });
});
