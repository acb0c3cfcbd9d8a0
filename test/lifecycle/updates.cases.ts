import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { eventsOf, makeCard, patch } from '../helpers/lifecycle.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function updateTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  test('limits: updated fields, the rest kept, one limits_updated event with 2-decimal strings', async () => {
    const card = await makeCard(app, org, 'standard');
    const res = await patch(app, org.admin, card.id, 'limits', { payment_monthly_limit: 3000, payment_daily_limit_option: true, payment_daily_limit: 300 });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().card;
    assert.equal(c.payment_monthly_limit, 3000);
    assert.equal(c.payment_daily_limit, 300);
    assert.equal(c.payment_daily_limit_option, true);
    assert.equal(c.atm_monthly_limit, card.atm_monthly_limit);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'limits_updated']);
    const ev = await db.selectFrom('card_events').selectAll().where('card_id', '=', card.id).where('event', '=', 'limits_updated').executeTakeFirstOrThrow();
    assert.equal(ev.data.payment_monthly_limit, '3000.00');
  });

  test('limits: ranges per level are 422 naming the field', async () => {
    const standard = await makeCard(app, org, 'standard');
    const virtual = await makeCard(app, org, 'virtual');
    const flash = await makeCard(app, org, 'flash');
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [standard.id, { payment_monthly_limit: 20_001 }, '/card/payment_monthly_limit', 'limit_too_high'],
      [standard.id, { atm_monthly_limit: 3_001 }, '/card/atm_monthly_limit', 'limit_too_high'],
      [standard.id, { payment_monthly_limit: 100, payment_transaction_limit_option: true, payment_transaction_limit: 200 }, '/card/payment_transaction_limit', 'limit_above_monthly_limit'],
      [standard.id, { payment_lifespan_limit: 100 }, '/card/payment_lifespan_limit', 'not_allowed_for_card_level'],
      [virtual.id, { atm_monthly_limit: 10 }, '/card/atm_monthly_limit', 'not_allowed_for_card_level'],
      [flash.id, { payment_lifespan_limit: 20_001 }, '/card/payment_lifespan_limit', 'out_of_range'],
    ];
    for (const [id, body, pointer, code] of cases) {
      const res = await patch(app, org.owner, id, 'limits', body);
      assert.equal(res.statusCode, 422, `${pointer}: ${res.body}`);
      assert.deepEqual([res.json().errors[0].source.pointer, res.json().errors[0].code], [pointer, code]);
    }
    const ok = await patch(app, org.owner, flash.id, 'limits', { payment_lifespan_limit: 1000 });
    assert.equal(ok.json().card.payment_lifespan_limit, 1000);
    for (const id of [standard.id, virtual.id]) assert.deepEqual(await eventsOf(db, id), ['created']);
  });

  test('nickname: trimmed, 1 to 40 characters, emoji allowed', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await patch(app, org.owner, card.id, 'nickname', { nickname: '  💳 for 🍗 ' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().card.nickname, '💳 for 🍗');
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated']);
    for (const nickname of ['', '   ', 'x'.repeat(41), null]) {
      const bad = await patch(app, org.owner, card.id, 'nickname', { nickname });
      assert.equal(bad.statusCode, 400, JSON.stringify(nickname));
      assert.equal(bad.json().errors[0].source.pointer, '/card/nickname');
    }
    const missing = await patch(app, org.owner, card.id, 'nickname', {});
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errors[0].source.pointer, '/card/nickname');
  });

  test('options: physical cards take any; ATM and NFC stay off on virtual cards', async () => {
    const physical = await makeCard(app, org, 'metal');
    const res = await patch(app, org.owner, physical.id, 'options', { atm_option: false, nfc_option: false, online_option: false, foreign_option: false });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().card.atm_option, res.json().card.online_option], [false, false]);
    const virtual = await makeCard(app, org, 'virtual');
    const refused = await patch(app, org.owner, virtual.id, 'options', { nfc_option: true });
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().errors[0].source.pointer, '/card/nfc_option');
    const ok = await patch(app, org.owner, virtual.id, 'options', { foreign_option: false });
    assert.equal(ok.json().card.foreign_option, false);
    assert.deepEqual(await eventsOf(db, virtual.id), ['created', 'options_updated']);
    const empty = await patch(app, org.owner, virtual.id, 'options', {});
    assert.equal(empty.statusCode, 400);
    const wrongType = await patch(app, org.owner, virtual.id, 'options', { atm_option: 'yes' });
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().errors[0].source.pointer, '/card/atm_option');
  });

  test('restrictions: days 1–7 without repeats, known categories, sorted days, one event', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await patch(app, org.owner, card.id, 'restrictions', { active_days: [5, 1, 3], categories: ['transport', 'restaurant_and_bar'] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().card.active_days, [1, 3, 5]);
    assert.deepEqual(res.json().card.categories, ['transport', 'restaurant_and_bar']);
    const cleared = await patch(app, org.owner, card.id, 'restrictions', { categories: [] });
    assert.deepEqual(cleared.json().card.categories, []);
    assert.deepEqual(cleared.json().card.active_days, [1, 3, 5]);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'restrictions_updated', 'restrictions_updated']);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ active_days: [] }, '/card/active_days'],
      [{ active_days: [1, 1] }, '/card/active_days'],
      [{ active_days: [8] }, '/card/active_days/0'],
      [{ categories: ['gambling'] }, '/card/categories/0'],
      [{ categories: ['tax', 'tax'] }, '/card/categories'],
      [{ other: 1 }, '/card/other'],
    ];
    for (const [body, pointer] of cases) {
      const bad = await patch(app, org.owner, card.id, 'restrictions', body);
      assert.equal(bad.statusCode, 400, `${pointer}: ${bad.body}`);
      assert.ok(bad.json().errors.some((e: any) => e.source.pointer === pointer), `${pointer} in ${bad.body}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    }
  });

  test('PATCH endpoints: owners and admins only (403 for holder, manager, reporting), 401, 403 scope, 404, 422 on terminal cards', async () => {
    const card = await makeCard(app, org, 'virtual');
    const foreign = await makeCard(app, other, 'virtual');
    const [terminal] = await insertTestCards(db, org, [{ status: 'discarded' }]);
    const bodies: Record<string, unknown> = { limits: { payment_monthly_limit: 100 }, nickname: { nickname: 'x' }, options: { online_option: true }, restrictions: { active_days: [1] } };
    const readOnly = await org.token(org.owner, ['card.read']);
    for (const [what, body] of Object.entries(bodies)) {
      for (const member of [org.employee, org.manager, org.reporting]) {
        assert.equal((await patch(app, member, card.id, what, body)).statusCode, 403, `${what} by ${member.role}`);
      }
      assert.equal((await app.inject({ method: 'PATCH', url: `/v2/cards/${card.id}/${what}`, payload: { card: body } })).statusCode, 401);
      assert.equal((await patch(app, readOnly, card.id, what, body)).statusCode, 403);
      assert.equal((await patch(app, org.owner, foreign.id, what, body)).statusCode, 404);
      assert.equal((await patch(app, org.owner, randomUUID(), what, body)).statusCode, 404);
      const dead = await patch(app, org.owner, terminal!.id, what, body);
      assert.equal(dead.statusCode, 422);
      assert.equal(dead.json().errors[0].code, 'card_terminated');
      const key = randomUUID();
      const first = await patch(app, org.admin, card.id, what, body, { 'x-qonto-idempotency-key': key });
      const again = await patch(app, org.admin, card.id, what, body, { 'x-qonto-idempotency-key': key });
      assert.equal(again.body, first.body);
    }
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'limits_updated', 'nickname_updated', 'options_updated', 'restrictions_updated']);
    assert.deepEqual(await eventsOf(db, foreign.id), ['created']);
  });

}
