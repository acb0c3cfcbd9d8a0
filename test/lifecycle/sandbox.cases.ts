import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { after, test } from 'node:test';
import { parisDate } from '../../src/domain/paris-time.ts';
import { startLifecycleScheduler } from '../../src/jobs/lifecycle-scheduler.ts';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { eventsOf, makeCard, patch, put, statusOf } from '../helpers/lifecycle.ts';
import { eventually } from '../helpers/eventually.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function sandboxTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);
  // Two schedulers on one database, as two server processes would run them: every change must still happen once.
  const schedulers = [startLifecycleScheduler(db, clock), startLifecycleScheduler(db, clock)];
  after(() => Promise.all(schedulers.map((s) => s.stop())));

  const S = '/qcards/sandbox/v1';
  const OPERATOR = { authorization: 'Bearer test-operator-token' };
  const pay = (id: string, body: Record<string, unknown>, auth = org.owner.auth) =>
    app.inject({ method: 'POST', url: `${S}/cards/${id}/payments`, headers: { authorization: auth }, payload: body });
  const advance = (seconds: number) => app.inject({ method: 'POST', url: `${S}/clock/advance`, headers: OPERATOR, payload: { seconds } });

  test("the scheduler merges the trigram index's pending list, so no write has to", async () => {
    const cards = await Promise.all(Array.from({ length: 5 }, () => makeCard(app, org, 'virtual')));
    for (const card of cards) assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The number of pending-list pages this call merged: none, the scheduler has been there.
    const { rows } = await sql<{ pages: number }>`SELECT gin_clean_pending_list('cards_search'::regclass)::int AS pages`.execute(db);
    assert.equal(rows[0]!.pages, 0);
  });

  test('activate: pending → live with pin_set and an activated event; only pending cards', async () => {
    const card = await makeCard(app, org, 'standard');
    const res = await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/activate`, headers: { authorization: org.employee.auth } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().card.status, res.json().card.pin_set], ['live', true]);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'activated']);
    const again = await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/activate`, headers: { authorization: org.owner.auth } });
    assert.equal(again.statusCode, 422);
    assert.equal(again.json().errors[0].code, 'card_not_pending');
    assert.equal((await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/activate`, headers: { authorization: other.owner.auth } })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/activate`, headers: { authorization: org.reporting.auth } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/activate` })).statusCode, 401);
  });

  test('an approved payment updates the counters, last_activity_at and had_operation, without an event', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await pay(card.id, { amount: 12.34, online: true });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual([body.result, body.decline_reason], ['approved', null]);
    assert.equal(body.card.payment_daily_spent, 12.34);
    assert.equal(body.card.payment_monthly_spent, 12.34);
    assert.equal(body.card.had_operation, true);
    assert.ok(body.card.last_activity_at);
    const second = (await pay(card.id, { amount: 0.66 })).json();
    assert.equal(second.card.payment_monthly_spent, 13);
    assert.deepEqual(await eventsOf(db, card.id), ['created']);
  });

  test('declines name their reason: status, options, days, categories and every limit', async () => {
    const today = parisDate(clock.now()).weekday;
    const v = await makeCard(app, org, 'virtual', { payment_monthly_limit: 100, payment_daily_limit_option: true, payment_daily_limit: 50, payment_transaction_limit_option: true, payment_transaction_limit: 30 });
    assert.equal((await pay(v.id, { amount: 31 })).json().decline_reason, 'transaction_limit_exceeded');
    assert.equal((await pay(v.id, { amount: 30 })).json().result, 'approved');
    assert.equal((await pay(v.id, { amount: 25 })).json().decline_reason, 'daily_limit_exceeded');
    await patch(app, org.owner, v.id, 'limits', { payment_daily_limit_option: false, payment_transaction_limit_option: false });
    assert.equal((await pay(v.id, { amount: 71 })).json().decline_reason, 'monthly_limit_exceeded');
    assert.equal((await pay(v.id, { amount: 20, type: 'atm' })).json().decline_reason, 'atm_option_disabled');
    assert.equal((await pay(v.id, { amount: 1, contactless: true })).json().decline_reason, 'nfc_option_disabled');
    await patch(app, org.owner, v.id, 'options', { online_option: false, foreign_option: false });
    assert.equal((await pay(v.id, { amount: 1, online: true })).json().decline_reason, 'online_option_disabled');
    assert.equal((await pay(v.id, { amount: 1, foreign: true })).json().decline_reason, 'foreign_option_disabled');
    await patch(app, org.owner, v.id, 'restrictions', { active_days: [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today) });
    assert.equal((await pay(v.id, { amount: 1 })).json().decline_reason, 'inactive_day');
    await patch(app, org.owner, v.id, 'restrictions', { active_days: [today], categories: ['transport'] });
    assert.equal((await pay(v.id, { amount: 1, category: 'tax' })).json().decline_reason, 'category_not_allowed');
    assert.equal((await pay(v.id, { amount: 1, category: 'transport' })).json().result, 'approved');
    await put(app, org.owner, v.id, 'lock');
    const declined = (await pay(v.id, { amount: 1, category: 'transport' })).json();
    assert.equal(declined.decline_reason, 'card_not_usable');
    assert.equal(declined.card.payment_monthly_spent, 31);

    const flash = await makeCard(app, org, 'flash', { payment_lifespan_limit: 40 });
    assert.equal((await pay(flash.id, { amount: 30 })).json().result, 'approved');
    const over = (await pay(flash.id, { amount: 11 })).json();
    assert.equal(over.decline_reason, 'lifespan_limit_exceeded');
    assert.equal(over.card.payment_lifespan_spent, 30);

    const physical = await makeCard(app, org, 'standard', { atm_monthly_limit: 100, atm_daily_limit_option: true, atm_daily_limit: 40 });
    assert.equal((await pay(physical.id, { amount: 5 })).json().decline_reason, 'card_not_usable'); // pending
    await app.inject({ method: 'POST', url: `${S}/cards/${physical.id}/activate`, headers: { authorization: org.owner.auth } });
    const atm = (await pay(physical.id, { amount: 40, type: 'atm' })).json();
    assert.equal(atm.result, 'approved');
    assert.deepEqual([atm.card.atm_daily_spent, atm.card.atm_monthly_spent, atm.card.had_pin_operation], [40, 40, true]);
    assert.equal((await pay(physical.id, { amount: 1, type: 'atm' })).json().decline_reason, 'atm_daily_limit_exceeded');
  });

  test('payments: 400 on a bad body, 403 for non-holders, 404 for foreign cards, 401 without credentials', async () => {
    const card = await makeCard(app, org, 'virtual');
    for (const body of [{}, { amount: 0 }, { amount: -5 }, { amount: 5, type: 'refund' }, { amount: 5, category: 'casino' }, { amount: 5, extra: 1 }]) {
      assert.equal((await pay(card.id, body)).statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await pay(card.id, { amount: 1 }, org.manager.auth)).statusCode, 403);
    assert.equal((await pay(card.id, { amount: 1 }, org.employee.auth)).statusCode, 200);
    assert.equal((await pay(card.id, { amount: 1 }, other.owner.auth)).statusCode, 404);
    assert.equal((await pay(randomUUID(), { amount: 1 })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: `${S}/cards/${card.id}/payments`, payload: { amount: 1 } })).statusCode, 401);
  });

  test('a payment replayed with its idempotency key is charged once', async () => {
    const card = await makeCard(app, org, 'virtual');
    const key = randomUUID();
    const send = () => app.inject({ method: 'POST', url: `${S}/cards/${card.id}/payments`, headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': key }, payload: { amount: 7 } });
    const first = await send();
    const again = await send();
    assert.equal(again.body, first.body);
    const row = await db.selectFrom('cards').select('payment_monthly_spent').where('id', '=', card.id).executeTakeFirstOrThrow();
    assert.equal(row.payment_monthly_spent, 7);
  });

  test('the clock moves only with the operator token, and only forward', async () => {
    assert.equal((await app.inject({ method: 'POST', url: `${S}/clock/advance`, headers: { authorization: org.owner.auth }, payload: { seconds: 1 } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'POST', url: `${S}/clock/advance`, headers: OPERATOR, payload: { seconds: -1 } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: `${S}/clock/advance`, headers: OPERATOR, payload: { until: '2001-01-01T00:00:00Z' } })).statusCode, 422);
    const before = clock.now().getTime();
    const res = await advance(60);
    assert.equal(res.statusCode, 200);
    assert.ok(Date.parse(res.json().now) >= before + 60_000);
    assert.equal((await app.inject({ method: 'GET', url: `${S}/clock`, headers: OPERATOR })).statusCode, 200);
  });

  test('counters roll over at midnight in Paris: the next day starts from zero, and the API shows it', async () => {
    const card = await makeCard(app, org, 'virtual');
    await pay(card.id, { amount: 10 });
    const today = parisDate(clock.now());
    const tomorrow = parisDate(new Date(clock.now().getTime() + 86_400_000));
    await advance(86_400);
    // The scheduler rolls the counters over without any payment; the API then shows zero for the day.
    await eventually(async () => {
      const row = await db.selectFrom('cards').select('api_json').where('id', '=', card.id).executeTakeFirstOrThrow();
      return JSON.parse(row.api_json).payment_daily_spent === 0;
    }, 'the daily counter rolled over', 1000, 20);
    const next = (await pay(card.id, { amount: 5 })).json();
    assert.equal(next.card.payment_daily_spent, 5);
    assert.equal(next.card.payment_monthly_spent, tomorrow.month === today.month ? 15 : 5);
    await advance(32 * 86_400);
    const later = (await pay(card.id, { amount: 1 })).json();
    assert.deepEqual([later.card.payment_daily_spent, later.card.payment_monthly_spent], [1, 1]);
  });

  test('a flash card past pre_expires_at becomes pre_expired with an expired event within a second', async () => {
    const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const flash = await makeCard(app, org, 'flash', { pre_expires_at: at });
    await advance(3_601);
    await eventually(async () => (await statusOf(db, flash.id)) === 'pre_expired', 'the flash card pre-expired', 1000, 20);
    assert.deepEqual(await eventsOf(db, flash.id), ['created', 'expired']);
    const ev = await db.selectFrom('card_events').selectAll().where('card_id', '=', flash.id).where('event', '=', 'expired').executeTakeFirstOrThrow();
    assert.equal(ev.data.status, 'pre_expired');
    assert.equal(ev.actor_membership_id, null);
  });

  test('cards past exp_month/exp_year become expired with one expired event; terminal cards stay as they are', async () => {
    const live = await makeCard(app, other, 'virtual');
    const lost = await makeCard(app, other, 'standard');
    await put(app, other.owner, lost.id, 'lost');
    // Cards are valid 3 years, to the end of their expiry month.
    await advance(3 * 366 * 86_400 + 31 * 86_400);
    await eventually(async () => (await statusOf(db, live.id)) === 'expired', 'the card expired', 1000, 20);
    assert.deepEqual(await eventsOf(db, live.id), ['created', 'expired']);
    assert.equal(await statusOf(db, lost.id), 'lost');
    assert.deepEqual(await eventsOf(db, lost.id), ['created']);
    const res = await put(app, other.owner, live.id, 'lock');
    assert.equal(res.json().errors[0].code, 'card_terminated');
  });

}
