import { EVENT_KINDS, type EventKind } from '../../lib/event-kinds';

export type Kind = EventKind;

/** Every kind but the recovery's output lines (those are in the Recovery view, stage by stage). */
export const DECISION_KINDS: Kind[] = EVENT_KINDS.filter((k) => k !== 'recovery_output');
