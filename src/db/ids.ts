import { randomUUID } from 'node:crypto';

/**
 * An id for a row inserted on every card change (a card event; a test event's delivery too): a UUID of version 7
 * (RFC 9562), whose first 48 bits are the current time in milliseconds and the rest random, so that new ids land
 * at the end of their index rather than on a random page of it (migration 017 says why; card deliveries and
 * attempts get theirs from its SQL function). Real time, not a sandbox clock: what matters is the order of
 * insertion.
 */
export function timeOrderedId(now = Date.now()): string {
  const random = randomUUID();
  const ms = now.toString(16).padStart(12, '0');
  // randomUUID() is xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx: the time replaces the first 12 digits, 7 the version.
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}
