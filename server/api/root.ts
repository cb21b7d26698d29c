/** The tRPC router: one file per procedure under routers/<area>/ (ARCHITECTURE.md rule 9). */
import { login } from './routers/auth/login';
import { logout } from './routers/auth/logout';
import { me } from './routers/auth/me';
import { snapshot } from './routers/cluster/snapshot';
import { effective } from './routers/config/effective';
import { reload } from './routers/config/reload';
import { list as eventsList } from './routers/events/list';
import { onEvent } from './routers/events/on-event';
import { attach } from './routers/nodes/attach';
import { detach } from './routers/nodes/detach';
import { list as nodesList } from './routers/nodes/list';
import { promote } from './routers/nodes/promote';
import { setWeight } from './routers/nodes/set-weight';
import { pools } from './routers/pools/pools';
import { sessions } from './routers/pools/sessions';
import { cancel as recoveryCancel } from './routers/recovery/cancel';
import { get as recoveryGet } from './routers/recovery/get';
import { list as recoveryList } from './routers/recovery/list';
import { onProgress } from './routers/recovery/on-progress';
import { start as recoveryStart } from './routers/recovery/start';
import { issue as tokensIssue } from './routers/tokens/issue';
import { list as tokensList } from './routers/tokens/list';
import { revoke as tokensRevoke } from './routers/tokens/revoke';
import { info as watchdogInfo } from './routers/watchdog/info';
import { router } from './trpc';

export const appRouter = router({
  auth: router({ login, logout, me }),
  cluster: router({ snapshot }),
  nodes: router({ list: nodesList, detach, attach, promote, setWeight }),
  recovery: router({
    start: recoveryStart,
    list: recoveryList,
    get: recoveryGet,
    cancel: recoveryCancel,
    onProgress,
  }),
  pools: router({ sessions, pools }),
  config: router({ effective, reload }),
  watchdog: router({ info: watchdogInfo }),
  events: router({ list: eventsList, onEvent }),
  tokens: router({ list: tokensList, issue: tokensIssue, revoke: tokensRevoke }),
});

export type AppRouter = typeof appRouter;
