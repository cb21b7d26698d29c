import type { ClusterSnapshot } from '../../../engine/api';
import { viewerProcedure } from '../../trpc';

/** The whole cluster view the dashboard polls: mode, primary, nodes with status/role/reason, sessions. */
export const snapshot = viewerProcedure.query(({ ctx }): Promise<ClusterSnapshot> =>
  ctx.handle.engine.snapshot(),
);
