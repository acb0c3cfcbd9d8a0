import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { CardStatus } from '../../src/db/schema.ts';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { eventsOf, makeCard, newCardBody, patch, put, statusOf } from '../helpers/lifecycle.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function transitionTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  const TERMINAL: CardStatus[] = ['stolen', 'lost', 'discarded', 'expired', 'pre_expired', 'order_canceled', 'shipped_lost', 'abusive'];

  test('lock then unlock: live → paused → live with a locked and an unlocked event', async () => {
    const card = await makeCard(app, org, 'virtual');
    const locked = await put(app, org.employee, card.id, 'lock');
    assert.equal(locked.statusCode, 200, locked.body);
    assert.equal(locked.json().card.status, 'paused');
    const unlocked = await put(app, org.admin, card.id, 'unlock');
    assert.equal(unlocked.statusCode, 200, unlocked.body);
    assert.equal(unlocked.json().card.status, 'live');
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'unlocked']);
    const ev = await db.selectFrom('card_events').selectAll().where('card_id', '=', card.id).where('event', '=', 'locked').executeTakeFirstOrThrow();
    assert.equal(ev.data.status, 'paused');
    assert.equal(ev.actor_membership_id, org.employee.id);
  });

  test('a pin_blocked card can be locked', async () => {
    const [card] = await insertTestCards(db, org, [{ status: 'pin_blocked', card_level: 'standard' }]);
    const res = await put(app, org.owner, card!.id, 'lock');
    assert.equal(res.json().card.status, 'paused');
  });

  test('lost and stolen: physical cards only, permanent, and no event', async () => {
    for (const action of ['lost', 'stolen']) {
      const card = await makeCard(app, org, 'plus');
      const res = await put(app, org.employee, card.id, action);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().card.status, action);
      assert.deepEqual(await eventsOf(db, card.id), ['created']);
      const again = await put(app, org.owner, card.id, 'lock');
      assert.equal(again.statusCode, 422);
      assert.equal(again.json().errors[0].code, 'card_terminated');
      const virtual = await makeCard(app, org, 'virtual');
      const refused = await put(app, org.owner, virtual.id, action);
      assert.equal(refused.statusCode, 422);
      assert.equal(refused.json().errors[0].code, 'card_level_not_physical');
    }
  });

  test('discard: virtual, flash and advertising only, sets discard_on and emits discarded', async () => {
    for (const level of ['virtual', 'flash', 'advertising'] as const) {
      const card = await makeCard(app, org, level);
      const res = await put(app, org.owner, card.id, 'discard');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().card.status, 'discarded');
      assert.match(res.json().card.discard_on, /^\d{4}-\d{2}-\d{2}$/);
      assert.deepEqual(await eventsOf(db, card.id), ['created', 'discarded']);
    }
    const physical = await makeCard(app, org, 'metal');
    const refused = await put(app, org.owner, physical.id, 'discard');
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().errors[0].code, 'card_level_physical');
  });

  test('each illegal transition is a 422 with its own code and changes nothing', async () => {
    const cases: Array<[CardStatus, 'standard' | 'virtual', string, string]> = [
      ['pending', 'standard', 'lock', 'card_not_active'],
      ['onhold', 'standard', 'lock', 'card_not_active'],
      ['paused', 'virtual', 'lock', 'card_already_locked'],
      ['live', 'virtual', 'unlock', 'card_not_locked'],
      ['pending', 'standard', 'unlock', 'card_not_locked'],
      ['pin_blocked', 'standard', 'unlock', 'card_not_locked'],
      ...TERMINAL.flatMap((s) => ['lock', 'unlock', 'lost', 'stolen'].map((a) => [s, 'standard', a, 'card_terminated'] as [CardStatus, 'standard', string, string])),
      ...TERMINAL.map((s) => [s, 'virtual', 'discard', 'card_terminated'] as [CardStatus, 'virtual', string, string]),
    ];
    const cards = await insertTestCards(db, org, cases.map(([status, card_level]) => ({ status, card_level })));
    for (const [i, [status, , action, code]] of cases.entries()) {
      const card = cards[i]!;
      const res = await put(app, org.owner, card.id, action);
      assert.equal(res.statusCode, 422, `${action} on ${status}: ${res.body}`);
      assert.equal(res.json().errors[0].code, code, `${action} on ${status}`);
      assert.equal(res.json().errors[0].status, '422');
      assert.equal(await statusOf(db, card.id), status);
      assert.deepEqual(await eventsOf(db, card.id), []);
    }
  });

  test('a card with a system lock cannot be unlocked', async () => {
    const [card] = await insertTestCards(db, org, [{ status: 'paused' }]);
    await db.updateTable('cards').set({ has_only_user_liftable_locks: false }).where('id', '=', card!.id).execute();
    const res = await put(app, org.owner, card!.id, 'unlock');
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].code, 'card_has_system_locks');
  });

  test('who may: unlock is for owners and admins; lock, lost, stolen and discard also for the holder', async () => {
    const card = await makeCard(app, org, 'virtual');
    // The manager sees the team's cards but may not change them; reporting sees every card.
    for (const member of [org.manager, org.reporting]) {
      const res = await put(app, member, card.id, 'lock');
      assert.equal(res.statusCode, 403, `${member.role}: ${res.body}`);
    }
    assert.equal((await put(app, org.employee, card.id, 'lock')).statusCode, 200);
    const byHolder = await put(app, org.employee, card.id, 'unlock');
    assert.equal(byHolder.statusCode, 403);
    assert.match(byHolder.json().errors[0].detail, /owners and admins/);
    assert.equal(await statusOf(db, card.id), 'paused');
    // An employee cannot see another employee's card: 404 as for an unknown card.
    assert.equal((await put(app, org.outsider, card.id, 'discard')).statusCode, 404);
  });

  test('401 without credentials, 403 without card.write', async () => {
    const card = await makeCard(app, org, 'virtual');
    const none = await app.inject({ method: 'PUT', url: `/v2/cards/${card.id}/lock` });
    assert.equal(none.statusCode, 401);
    const readOnly = await put(app, await org.token(org.owner, ['card.read']), card.id, 'lock');
    assert.equal(readOnly.statusCode, 403);
    assert.match(readOnly.json().errors[0].detail, /card\.write/);
  });

  test("another organization's card, an unknown id and a malformed id are the same 404", async () => {
    const foreign = await makeCard(app, other, 'virtual');
    const answers = [];
    for (const id of [foreign.id, randomUUID(), 'not-a-uuid']) {
      for (const action of ['lock', 'unlock', 'lost', 'stolen', 'discard']) {
        const res = await put(app, org.owner, id, action);
        assert.equal(res.statusCode, 404, `${action} ${id}`);
        answers.push(JSON.stringify({ ...res.json(), trace_id: undefined }));
        assert.deepEqual(res.json().errors[0].source, { parameter: 'id' });
      }
    }
    assert.equal(new Set(answers).size, 1);
    assert.equal(await statusOf(db, foreign.id), 'live');
  });

  test('a lock replayed with its idempotency key answers the first success, not a 422', async () => {
    const card = await makeCard(app, org, 'virtual');
    const key = randomUUID();
    const first = await put(app, org.owner, card.id, 'lock', { 'x-qonto-idempotency-key': key });
    const again = await put(app, org.owner, card.id, 'lock', { 'x-qonto-idempotency-key': key });
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked']);
  });

  test('a request failing midway leaves no change and no event', async () => {
    const card = await makeCard(app, org, 'virtual');
    // Make the event insert fail inside the lock's transaction, after the card row was rewritten.
    await db.schema.alterTable('card_events').addCheckConstraint('test_no_locked_for_this_card', sqlNot(card.id)).execute();
    try {
      const res = await put(app, org.owner, card.id, 'lock');
      assert.equal(res.statusCode, 500);
      assert.equal(await statusOf(db, card.id), 'live');
      assert.deepEqual(await eventsOf(db, card.id), ['created']);
      const row = await db.selectFrom('cards').select('api_json').where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(row.api_json).status, 'live');
    } finally {
      await db.schema.alterTable('card_events').dropConstraint('test_no_locked_for_this_card').execute();
    }
  });

  // Writes read the card without a lock and apply only if it is unchanged (card-writes.ts): racing writers on
  // one card must still see one another, on PostgreSQL where they really run at once.
  test('20 concurrent locks of one card: one succeeds, the others are 422, one locked event', async () => {
    const card = await makeCard(app, org, 'virtual');
    const results = await Promise.all(Array.from({ length: 20 }, () => put(app, org.owner, card.id, 'lock')));
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, ...new Array(19).fill(422)], results.map((r) => r.body).join('\n'));
    assert.ok(results.filter((r) => r.statusCode === 422).every((r) => r.json().errors[0].code === 'card_already_locked'));
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked']);
  });

  test('30 concurrent nickname updates of one card: each applied once with one event, the row consistent', async () => {
    const card = await makeCard(app, org, 'virtual');
    const names = Array.from({ length: 30 }, (_, i) => `racer ${i}`);
    const results = await Promise.all(names.map((nickname) => patch(app, org.owner, card.id, 'nickname', { nickname })));
    assert.ok(results.every((r) => r.statusCode === 200), results.map((r) => r.body).join('\n'));
    const events = await db.selectFrom('card_events').select(['data', 'created_at']).where('card_id', '=', card.id)
      .where('event', '=', 'nickname_updated').execute();
    assert.deepEqual(events.map((e) => e.data.nickname).sort(), [...names].sort());
    // Each event carries the card as that write left it, so the row holds the nickname of one of the writes,
    // and its pre-rendered JSON agrees with its column.
    const row = await db.selectFrom('cards').select(['nickname', 'api_json', 'version']).where('id', '=', card.id).executeTakeFirstOrThrow();
    assert.ok(names.includes(row.nickname!));
    assert.notEqual(row.version, 0, 'the writes gave the row new versions (014)');
    assert.equal(JSON.parse(row.api_json).nickname, row.nickname);
  });

  function sqlNot(cardId: string) {
    return sql`NOT (event = 'locked' AND card_id = ${sql.lit(cardId)}::uuid)`;
  }

}

/** Every PUT replays its first success for a repeated key, and runs once. */
export async function transitionReplayTests(ctx: TestContext): Promise<void> {
  const { app, deps } = ctx;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  test('each lifecycle PUT and bulk create replay their first success for a repeated key', async () => {
    const cases: Array<[string, 'virtual' | 'standard', string | null]> = [
      ['lock', 'virtual', null], ['unlock', 'virtual', 'lock'], ['lost', 'standard', null], ['stolen', 'standard', null], ['discard', 'virtual', null],
    ];
    for (const [action, level, before] of cases) {
      const card = await makeCard(app, org, level);
      if (before) await put(app, org.owner, card.id, before);
      const key = randomUUID();
      const first = await put(app, org.owner, card.id, action, { 'x-qonto-idempotency-key': key });
      assert.equal(first.statusCode, 200, `${action}: ${first.body}`);
      const again = await put(app, org.owner, card.id, action, { 'x-qonto-idempotency-key': key });
      assert.equal(again.statusCode, 200, action);
      assert.equal(again.body, first.body);
      assert.equal(again.headers['x-qonto-idempotent-replay'], 'true');
    }
    const key = randomUUID();
    const bulk = () => app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': key }, payload: { cards: [{ card: newCardBody(org, 'virtual', { nickname: 'bulk-replay' }) }] } });
    const a = await bulk();
    const b = await bulk();
    assert.equal(b.body, a.body);
    assert.equal((await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).where('nickname', '=', 'bulk-replay').execute()).length, 1);
  });

  test('bulk create: 401 without credentials, 403 without card.write, 403 for employees', async () => {
    const payload = { cards: [{ card: newCardBody(org, 'virtual') }] };
    assert.equal((await app.inject({ method: 'POST', url: '/v2/cards/bulk', payload })).statusCode, 401);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: await org.token(org.owner, ['card.read']) }, payload })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.employee.auth }, payload })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.manager.auth }, payload })).statusCode, 403);
  });
}
