import type { ClusterSnapshot } from '../../../engine/api';
import { clusterSnapshotSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';

/** The whole cluster view the dashboard polls: mode, primary, nodes with status/role/reason, sessions. */
export const snapshot = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/cluster',
      summary: 'Cluster state: mode, primary, nodes, sessions',
      tags: ['cluster'],
    },
  })
  .output(clusterSnapshotSchema)
  .query(({ ctx }): Promise<ClusterSnapshot> => ctx.handle.engine.snapshot());
