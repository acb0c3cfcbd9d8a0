import { randomUUID } from 'node:crypto';
import type { App } from '../../src/http/app.ts';
import type { Db } from '../../src/db/engine.ts';
import type { CardLevel } from '../../src/db/schema.ts';
import type { MemberFixture, OrgFixture } from './fixtures.ts';

// Requests of the lifecycle tests, through HTTP.

export const ADDRESS = { contact_name: 'Emile Employee', first_line: '12 rue de la Paix', zipcode: '75002', city: 'Paris', country: 'FR' };

/** A valid creation body for `level`, holder the org's employee, on the first account. */
export function newCardBody(org: OrgFixture, level: CardLevel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { holder_id: org.employee.id, bank_account_id: org.accounts[0], organization_id: org.id, card_level: level };
  if (level === 'standard' || level === 'plus' || level === 'metal') base.address = ADDRESS;
  if (level === 'flash') {
    base.payment_lifespan_limit = 300;
    base.pre_expires_at = new Date(Date.now() + 10 * 86_400_000).toISOString();
  }
  return { ...base, ...extra };
}

export async function createCard(app: App, auth: string, card: Record<string, unknown>, key: string = randomUUID(), headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v2/cards', headers: { authorization: auth, 'x-qonto-idempotency-key': key, ...headers }, payload: { card } });
}

/** Creates a card as the org owner and returns its JSON. */
export async function makeCard(app: App, org: OrgFixture, level: CardLevel, extra: Record<string, unknown> = {}): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await createCard(app, org.owner.auth, newCardBody(org, level, extra));
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().card;
}

export function put(app: App, who: MemberFixture | string, id: string, action: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'PUT', url: `/v2/cards/${id}/${action}`, headers: { authorization: typeof who === 'string' ? who : who.auth, ...headers } });
}

export function patch(app: App, who: MemberFixture | string, id: string, what: string, card: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'PATCH', url: `/v2/cards/${id}/${what}`, headers: { authorization: typeof who === 'string' ? who : who.auth, ...headers }, payload: { card } });
}

export async function eventsOf(db: Db, cardId: string): Promise<string[]> {
  const rows = await db.selectFrom('card_events').select(['event', 'created_at', 'id']).where('card_id', '=', cardId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => r.event);
}

export async function statusOf(db: Db, cardId: string): Promise<string> {
  const row = await db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow();
  return row.status;
}

/** makeCard on a server with SCA on: the 428 → allow → replay dance. */
export async function makeCardWithSca(app: App, org: OrgFixture, level: CardLevel): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const body = newCardBody(org, level);
  const first = await createCard(app, org.owner.auth, body);
  const token = first.json().sca_session_token as string;
  await app.inject({ method: 'POST', url: `/v2/mocked_sca_sessions/${token}/allow`, headers: { authorization: org.owner.auth } });
  const res = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().card;
}
