import type { Actor } from '../../engine/state/types';
import type { Principal } from '../../services/control-plane';

/** The audit trail's "who": the signed-in user, or the token name, with the interface used. */
export function actorOf(p: Principal): Actor {
  return { name: p.name, interface: p.via === 'bearer' ? 'rest' : 'dashboard' };
}
