import type { CardEventName, CardLevel, CardStatus } from '../db/schema.ts';
import { isPhysical } from './card-factory.ts';
import { unprocessable, type ApiError } from './errors.ts';

// The card state machine, as one explicit table (CONTRACT.md "Lock / unlock", "Lost / stolen", "Discard",
// "Terminal statuses", "Which change emits which event"). Pure: the services look a move up here before
// writing anything, and an illegal move is a 422 with a specific code that changes nothing.

export const TERMINAL_STATUSES: readonly CardStatus[] = [
  'stolen', 'lost', 'discarded', 'expired', 'pre_expired', 'order_canceled', 'shipped_lost', 'abusive',
];
export const isTerminal = (status: CardStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Every status-changing action, and `update` for the four PATCH endpoints (status unchanged). */
export type LifecycleAction =
  | 'activate' | 'lock' | 'unlock' | 'lost' | 'stolen' | 'discard' | 'expire' | 'pre_expire' | 'update';

export interface LifecycleCard {
  status: CardStatus;
  card_level: CardLevel;
  has_only_user_liftable_locks: boolean;
}

export interface Move {
  to: CardStatus;
  /** The v1/cards event the move emits; null for lost/stolen (Qonto lists none). `update` events come from the PATCH. */
  event: CardEventName | null;
}

type Rule = { from: readonly CardStatus[]; to: CardStatus | 'same'; event: CardEventName | null; levels?: 'physical' | 'non_physical' };

const NON_TERMINAL: readonly CardStatus[] = ['pending', 'live', 'paused', 'pin_blocked', 'onhold'];

/** action → which statuses it accepts, the status it leads to, the event it emits, and which levels it applies to. */
export const TRANSITIONS: Record<LifecycleAction, Rule> = {
  activate: { from: ['pending'], to: 'live', event: 'activated' },
  lock: { from: ['live', 'pin_blocked'], to: 'paused', event: 'locked' },
  unlock: { from: ['paused'], to: 'live', event: 'unlocked' },
  lost: { from: NON_TERMINAL, to: 'lost', event: null, levels: 'physical' },
  stolen: { from: NON_TERMINAL, to: 'stolen', event: null, levels: 'physical' },
  discard: { from: NON_TERMINAL, to: 'discarded', event: 'discarded', levels: 'non_physical' },
  // exp_month/exp_year passed, or a flash card's pre_expires_at passed: both announce `expired`.
  expire: { from: NON_TERMINAL, to: 'expired', event: 'expired' },
  pre_expire: { from: NON_TERMINAL, to: 'pre_expired', event: 'expired' },
  update: { from: NON_TERMINAL, to: 'same', event: null },
};

/** The 422 code for an action refused in a status; each refusal names what is wrong. */
function refusal(action: LifecycleAction, card: LifecycleCard): ApiError {
  const s = card.status;
  if (isTerminal(s)) return unprocessable('card_terminated', `the card is ${s}: no further change is possible`);
  switch (action) {
    case 'activate':
      return unprocessable('card_not_pending', `only a pending card can be activated; this card is ${s}`);
    case 'lock':
      return s === 'paused'
        ? unprocessable('card_already_locked', 'the card is already locked')
        : unprocessable('card_not_active', `only a live or pin_blocked card can be locked; this card is ${s}`);
    case 'unlock':
      return unprocessable('card_not_locked', `only a locked (paused) card can be unlocked; this card is ${s}`);
    default:
      return unprocessable('invalid_transition', `${action} is not possible on a ${s} card`);
  }
}

/** The move `action` makes on `card`, or the ApiError (422) refusing it. */
export function planMove(action: LifecycleAction, card: LifecycleCard): Move | ApiError {
  const rule = TRANSITIONS[action];
  if (rule.levels === 'physical' && !isPhysical(card.card_level)) {
    return unprocessable('card_level_not_physical', `only physical cards (standard, plus, metal) can be reported ${action}; this card is ${card.card_level}`);
  }
  if (rule.levels === 'non_physical' && isPhysical(card.card_level)) {
    return unprocessable('card_level_physical', `only virtual, flash and advertising cards can be discarded; report a ${card.card_level} card lost or stolen instead`);
  }
  if (!rule.from.includes(card.status)) return refusal(action, card);
  if (action === 'unlock' && !card.has_only_user_liftable_locks) {
    return unprocessable('card_has_system_locks', 'the card carries a lock that only Qonto can lift');
  }
  return { to: rule.to === 'same' ? card.status : rule.to, event: rule.event };
}
