/** The tRPC router: one file per procedure under routers/<area>/ (ARCHITECTURE.md rule 9). */
import { login } from './routers/auth/login';
import { logout } from './routers/auth/logout';
import { me } from './routers/auth/me';
import { snapshot } from './routers/cluster/snapshot';
import { list as eventsList } from './routers/events/list';
import { onEvent } from './routers/events/on-event';
import { attach } from './routers/nodes/attach';
import { detach } from './routers/nodes/detach';
import { list as nodesList } from './routers/nodes/list';
import { setWeight } from './routers/nodes/set-weight';
import { router } from './trpc';

export const appRouter = router({
  auth: router({ login, logout, me }),
  cluster: router({ snapshot }),
  nodes: router({ list: nodesList, detach, attach, setWeight }),
  events: router({ list: eventsList, onEvent }),
});

export type AppRouter = typeof appRouter;
