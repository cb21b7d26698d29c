import { z } from 'zod';
import { viewerProcedure } from '../../trpc';

export const watchdogInfo = z.object({
  enabled: z.boolean(),
  /** Why the watchdog is off (or its state when on). */
  reason: z.string(),
  leader: z.string().nullable(),
  quorum: z.boolean().nullable(),
  virtualIp: z.string().nullable(),
  nodes: z.array(z.object({ name: z.string(), state: z.string(), priority: z.number() })),
});

/**
 * The watchdog (leader, quorum, virtual IP). pgwarden has no watchdog yet: this says so, and whether the
 * configuration asked for one, instead of showing an empty cluster.
 */
export const info = viewerProcedure
  .meta({ rest: { method: 'GET', path: '/watchdog', summary: 'Watchdog state', tags: ['watchdog'] } })
  .output(watchdogInfo)
  .query(async ({ ctx }) => {
    const config = await ctx.handle.engine.effectiveConfig();
    const asked = config.use_watchdog === true || config.use_watchdog === 'on';
    return {
      enabled: false,
      reason: asked
        ? 'use_watchdog is on, but this pgwarden build has no watchdog: it runs as a single instance'
        : 'use_watchdog is off: pgwarden runs as a single instance',
      leader: null,
      quorum: null,
      virtualIp: null,
      nodes: [],
    };
  });
