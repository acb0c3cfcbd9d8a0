import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { CARD_LEVELS } from '../../src/db/schema.ts';
import { isLuhnValid } from '../../src/domain/card-numbers.ts';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { createCard, eventsOf, newCardBody } from '../helpers/lifecycle.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function createTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  test('every level is created with 200 {card}, realistic data, the level status and one created event', async () => {
    for (const level of CARD_LEVELS) {
      const res = await createCard(app, org.owner.auth, newCardBody(org, level));
      assert.equal(res.statusCode, 200, res.body);
      const card = res.json().card;
      assert.equal(card.card_level, level);
      assert.equal(card.status, ['standard', 'plus', 'metal'].includes(level) ? 'pending' : 'live');
      assert.match(card.mask_pan, /^511768\*{6}\d{4}$/);
      assert.equal(card.last_digits, card.mask_pan.slice(-4));
      assert.equal(card.holder_id, org.employee.id);
      assert.equal(card.initiator_id, org.owner.id);
      assert.equal(card.organization_id, org.id);
      assert.ok(card.appearance.assets.front_large);
      assert.equal(card.card_type, level === 'flash' ? 'prepaid' : 'debit');
      assert.doesNotMatch(res.body, /"pan"|"cvv"/);
      const row = await db.selectFrom('cards').select(['pan', 'api_json']).where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.ok(isLuhnValid(row.pan));
      assert.equal(res.body, `{"card":${row.api_json}}`);
      assert.deepEqual(await eventsOf(db, card.id), ['created']);
    }
  });

  test('a flash card carries its lifespan limit and pre_expires_at', async () => {
    const at = new Date(Date.now() + 5 * 86_400_000);
    at.setUTCMilliseconds(0);
    const res = await createCard(app, org.admin.auth, newCardBody(org, 'flash', { payment_lifespan_limit: 250, pre_expires_at: at.toISOString() }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().card.payment_lifespan_limit, 250);
    assert.equal(res.json().card.pre_expires_at, at.toISOString().replace('.000Z', 'Z'));
  });

  test('the created event carries the webhook data of the new card', async () => {
    const res = await createCard(app, org.owner.auth, newCardBody(org, 'virtual', { payment_monthly_limit: 800, categories: ['transport'] }));
    const id = res.json().card.id;
    const ev = await db.selectFrom('card_events').selectAll().where('card_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(ev.actor_membership_id, org.owner.id);
    assert.equal(ev.data.event, 'created');
    assert.equal(ev.data.payment_monthly_limit, '800.00');
    assert.deepEqual(ev.data.category_tags, ['transport']);
  });

  test('the idempotency key is required on create: 400 naming the header', async () => {
    const res = await app.inject({ method: 'POST', url: '/v2/cards', headers: { authorization: org.owner.auth }, payload: { card: newCardBody(org, 'virtual') } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().errors[0].source, { parameter: 'X-Qonto-Idempotency-Key' });
  });

  test('a repeated key returns the first answer byte for byte and creates one card', async () => {
    const key = randomUUID();
    const first = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    const again = await createCard(app, org.owner.auth, newCardBody(org, 'advertising'), key);
    assert.equal(again.statusCode, first.statusCode);
    assert.equal(again.body, first.body);
    const n = await db.selectFrom('card_events').select((eb) => eb.fn.countAll<number>().as('n')).where('card_id', '=', first.json().card.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
  });

  test('a failed request does not consume its key', async () => {
    const key = randomUUID();
    const bad = await createCard(app, org.owner.auth, newCardBody(org, 'virtual', { payment_monthly_limit: 999_999 }), key);
    assert.equal(bad.statusCode, 422);
    const good = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    assert.equal(good.statusCode, 200);
  });

  test('a key reused on another endpoint is refused with 422', async () => {
    const key = randomUUID();
    const created = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    const res = await app.inject({ method: 'PUT', url: `/v2/cards/${created.json().card.id}/lock`, headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': key } });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].code, 'idempotency_key_reused');
  });

  test('a key expires after the window: the same key then creates a new card', async (t) => {
    const key = randomUUID();
    const first = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    (deps.clock as any).advance((deps.config.idempotencyWindowSeconds + 1) * 1000); // eslint-disable-line @typescript-eslint/no-explicit-any
    const second = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    assert.equal(second.statusCode, 200);
    assert.notEqual(second.json().card.id, first.json().card.id);
    t.diagnostic('clock moved past the window');
  });

  test('50 concurrent requests with one key create one card and all get the same answer', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => createCard(app, org.admin.auth, newCardBody(org, 'virtual', { nickname: 'concurrent' }), key)));
    const bodies = new Set(results.map((r) => `${r.statusCode} ${r.body}`));
    assert.equal(bodies.size, 1, [...bodies].join('\n'));
    assert.equal(results[0]!.statusCode, 200);
    const cards = await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).where('nickname', '=', 'concurrent').execute();
    assert.equal(cards.length, 1);
  });

  test('keys are scoped by membership: another member with the same key gets their own card', async () => {
    const key = randomUUID();
    const a = await createCard(app, org.owner.auth, newCardBody(org, 'virtual'), key);
    const b = await createCard(app, org.admin.auth, newCardBody(org, 'virtual'), key);
    assert.notEqual(a.json().card.id, b.json().card.id);
  });

  test('each level rejects and requires its own fields, naming them with 422', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...newCardBody(org, 'standard'), address: undefined }, '/card/address', 'required'],
      [newCardBody(org, 'virtual', { address: { first_line: 'x', zipcode: '1', city: 'c', country: 'FR' } }), '/card/address', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { payment_lifespan_limit: 10 }), '/card/payment_lifespan_limit', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { pre_expires_at: new Date(Date.now() + 86_400_000).toISOString() }), '/card/pre_expires_at', 'not_allowed_for_card_level'],
      [{ ...newCardBody(org, 'flash'), payment_lifespan_limit: undefined }, '/card/payment_lifespan_limit', 'required'],
      [{ ...newCardBody(org, 'flash'), pre_expires_at: undefined }, '/card/pre_expires_at', 'required'],
      [newCardBody(org, 'flash', { pre_expires_at: '2020-01-01T00:00:00Z' }), '/card/pre_expires_at', 'date_in_past'],
      [newCardBody(org, 'flash', { pre_expires_at: new Date(Date.now() + 400 * 86_400_000).toISOString() }), '/card/pre_expires_at', 'date_too_far'],
      [newCardBody(org, 'flash', { payment_lifespan_limit: 2 }), '/card/payment_lifespan_limit', 'out_of_range'],
      [newCardBody(org, 'virtual', { type_of_print: 'print' }), '/card/type_of_print', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { ship_to_business: true }), '/card/ship_to_business', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { atm_option: true }), '/card/atm_option', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { nfc_option: true }), '/card/nfc_option', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { atm_monthly_limit: 100 }), '/card/atm_monthly_limit', 'not_allowed_for_card_level'],
      [newCardBody(org, 'virtual', { payment_monthly_limit: 30_000 }), '/card/payment_monthly_limit', 'limit_too_high'],
      [newCardBody(org, 'standard', { payment_monthly_limit: 100, payment_daily_limit_option: true, payment_daily_limit: 200 }), '/card/payment_daily_limit', 'limit_above_monthly_limit'],
      [newCardBody(org, 'standard', { atm_monthly_limit: 100, atm_daily_limit_option: true, atm_daily_limit: 200 }), '/card/atm_daily_limit', 'limit_above_monthly_limit'],
      [newCardBody(org, 'plus', { card_design: 'virtual.default.2017' }), '/card/card_design', 'invalid_card_design'],
      [newCardBody(org, 'virtual', { holder_id: other.employee.id }), '/card/holder_id', 'not_found'],
      [newCardBody(org, 'virtual', { initiator_id: other.owner.id }), '/card/initiator_id', 'not_found'],
      [newCardBody(org, 'virtual', { bank_account_id: other.accounts[0] }), '/card/bank_account_id', 'not_found'],
      [newCardBody(org, 'virtual', { organization_id: other.id }), '/card/organization_id', 'invalid_organization'],
    ];
    for (const [body, pointer, code] of cases) {
      const res = await createCard(app, org.owner.auth, body);
      assert.equal(res.statusCode, 422, `${pointer}: ${res.body}`);
      const item = res.json().errors.find((e: any) => e.source?.pointer === pointer); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.ok(item, `${pointer} not named in ${res.body}`);
      assert.equal(item.code, code);
    }
    const count = await db.selectFrom('card_events').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    const cards = await db.selectFrom('cards').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), Number(cards.n), 'no rejected create left a card or an event');
  });

  test('the organization slug is accepted as organization_id', async () => {
    const res = await createCard(app, org.owner.auth, newCardBody(org, 'virtual', { organization_id: org.slug }));
    assert.equal(res.statusCode, 200, res.body);
  });

  test('malformed fields are 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [newCardBody(org, 'virtual', { card_level: 'gold' }), '/card/card_level'],
      [newCardBody(org, 'virtual', { holder_id: 'nope' }), '/card/holder_id'],
      [newCardBody(org, 'virtual', { payment_monthly_limit: -1 }), '/card/payment_monthly_limit'],
      [newCardBody(org, 'virtual', { payment_monthly_limit: 10.5 }), '/card/payment_monthly_limit'],
      [newCardBody(org, 'virtual', { active_days: [1, 1] }), '/card/active_days'],
      [newCardBody(org, 'virtual', { active_days: [0] }), '/card/active_days/0'],
      [newCardBody(org, 'virtual', { categories: ['casino'] }), '/card/categories/0'],
      [newCardBody(org, 'virtual', { nickname: 'x'.repeat(41) }), '/card/nickname'],
      [newCardBody(org, 'virtual', { colour: 'red' }), '/card/colour'],
      [newCardBody(org, 'standard', { address: { ...(newCardBody(org, 'standard').address as object), country: 'France' } }), '/card/address/country'],
    ];
    for (const [body, pointer] of cases) {
      const res = await createCard(app, org.owner.auth, body);
      assert.equal(res.statusCode, 400, `${pointer}: ${res.body}`);
      assert.ok(res.json().errors.some((e: any) => e.source?.pointer === pointer), `${pointer} not in ${res.body}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    }
    const missing = await app.inject({ method: 'POST', url: '/v2/cards', headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': randomUUID() }, payload: { card: { card_level: 'virtual' } } });
    assert.equal(missing.statusCode, 400);
    assert.ok(missing.json().errors.some((e: any) => e.source.pointer === '/card/holder_id')); // eslint-disable-line @typescript-eslint/no-explicit-any
  });

  test('401 without credentials, 403 without card.write, 403 for managers, employees and reporting', async () => {
    const none = await app.inject({ method: 'POST', url: '/v2/cards', payload: { card: newCardBody(org, 'virtual') } });
    assert.equal(none.statusCode, 401);
    const readOnly = await createCard(app, await org.token(org.owner, ['card.read']), newCardBody(org, 'virtual'));
    assert.equal(readOnly.statusCode, 403);
    assert.match(readOnly.json().errors[0].detail, /card\.write/);
    for (const member of [org.manager, org.employee, org.reporting]) {
      const res = await createCard(app, member.auth, newCardBody(org, 'virtual', { holder_id: member.id }));
      assert.equal(res.statusCode, 403, member.role);
    }
  });

  test('bulk create answers in request order and writes one created event per card', async () => {
    const bodies = [newCardBody(org, 'virtual', { nickname: 'one' }), newCardBody(org, 'metal', { nickname: 'two' }), newCardBody(org, 'flash', { nickname: 'three' })];
    const res = await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth }, payload: { cards: bodies.map((card) => ({ card })) } });
    assert.equal(res.statusCode, 200, res.body);
    const cards = res.json().cards.map((c: any) => c.card); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(cards.map((c: any) => c.nickname), ['one', 'two', 'three']); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const c of cards) assert.deepEqual(await eventsOf(db, c.id), ['created']);
  });

  test('bulk create is all or nothing: one bad card fails the request naming its index, and nothing is written', async () => {
    const bodies = [newCardBody(org, 'virtual', { nickname: 'bulk-ok' }), newCardBody(org, 'virtual', { nickname: 'bulk-bad', holder_id: other.owner.id })];
    const res = await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth }, payload: { cards: bodies.map((card) => ({ card })) } });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].source.pointer, '/cards/1/card/holder_id');
    const written = await db.selectFrom('cards').select('id').where('nickname', 'in', ['bulk-ok', 'bulk-bad']).execute();
    assert.equal(written.length, 0);
    const empty = await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth }, payload: { cards: [] } });
    assert.equal(empty.statusCode, 400);
  });

}
