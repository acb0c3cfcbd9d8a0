import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { rememberedCard } from '../../src/services/card-cache.ts';
import { batchStatistics } from '../../src/services/card-write-batches.ts';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { ADDRESS, eventsOf, makeCard, patch, put, statusOf } from '../helpers/lifecycle.ts';

// Changes from concurrent requests share statements (src/services/card-write-batches.ts). Each test first
// writes its cards once, so the process remembers them and the next changes go straight to the batch, then
// sends the changes at once; the statistics show they really shared a statement.

export async function writeBatchTests(ctx: TestContext): Promise<void> {
  const { app, deps } = ctx;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);

  async function rememberedCards(n: number) {
    const cards = await Promise.all(Array.from({ length: n }, () => makeCard(app, org, 'virtual')));
    for (const card of cards) assert.equal((await patch(app, org.owner, card.id, 'nickname', { nickname: `Card ${card.id.slice(0, 4)}` })).statusCode, 200);
    return cards;
  }

  test('concurrent changes of different cards share a statement; each is written once, with its own event', async () => {
    const cards = await rememberedCards(12);
    const before = batchStatistics(db);
    const answers = await Promise.all(cards.map((c, i) =>
      (i % 2 === 0 ? put(app, org.owner, c.id, 'lock') : patch(app, org.owner, c.id, 'limits', { payment_monthly_limit: 1000 + i }))));
    assert.ok(answers.every((a) => a.statusCode === 200), answers.map((a) => a.body).join('\n'));
    assert.ok(batchStatistics(db).shared > before.shared, 'no statement was shared');
    for (const [i, card] of cards.entries()) {
      const answer = answers[i]!.json().card;
      assert.equal(answer.id, card.id);
      assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated', i % 2 === 0 ? 'locked' : 'limits_updated']);
      const row = await db.selectFrom('cards').select(['status', 'payment_monthly_limit', 'api_json']).where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.equal(row.status, i % 2 === 0 ? 'paused' : 'live');
      assert.equal(row.payment_monthly_limit, i % 2 === 0 ? card.payment_monthly_limit : 1000 + i);
      assert.deepEqual(JSON.parse(row.api_json), answer, 'the stored JSON is the answer');
    }
  });

  test('a change that fails in a shared statement fails alone: the others are written, it writes nothing', async () => {
    const cards = await rememberedCards(8);
    const poisoned = cards[3]!;
    await db.schema.alterTable('card_events')
      .addCheckConstraint('test_batch_poison', sql`NOT (event = 'locked' AND card_id = ${sql.lit(poisoned.id)}::uuid)`).execute();
    try {
      const before = batchStatistics(db);
      const answers = await Promise.all(cards.map((c) => put(app, org.owner, c.id, 'lock')));
      assert.ok(batchStatistics(db).split > before.split, 'no shared statement failed');
      for (const [i, card] of cards.entries()) {
        if (card === poisoned) {
          assert.equal(answers[i]!.statusCode, 500);
          assert.equal(await statusOf(db, card.id), 'live');
          assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated']);
        } else {
          assert.equal(answers[i]!.statusCode, 200, answers[i]!.body);
          assert.equal(await statusOf(db, card.id), 'paused');
          assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated', 'locked']);
        }
      }
    } finally {
      await db.schema.alterTable('card_events').dropConstraint('test_batch_poison').execute();
    }
    // Once the fault is gone the card is written as usual.
    assert.equal((await put(app, org.owner, poisoned.id, 'lock')).statusCode, 200);
    assert.deepEqual(await eventsOf(db, poisoned.id), ['created', 'nickname_updated', 'locked']);
  });

  test('a card changed elsewhere since it was remembered is read again; the others of its statement are written', async () => {
    const cards = await rememberedCards(6);
    const stale = cards[2]!;
    await sql`UPDATE cards SET nickname = 'Changed by SQL' WHERE id = ${stale.id}`.execute(db);
    const before = batchStatistics(db);
    const answers = await Promise.all(cards.map((c) => put(app, org.owner, c.id, 'lock')));
    assert.ok(answers.every((a) => a.statusCode === 200), answers.map((a) => a.body).join('\n'));
    assert.ok(batchStatistics(db).shared > before.shared, 'no statement was shared');
    assert.equal(answers[2]!.json().card.nickname, 'Changed by SQL');
    for (const card of cards) {
      assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated', 'locked']);
      const row = await db.selectFrom('cards').select(['version', 'nickname']).where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.equal(rememberedCard(db, card.id)?.version, row.version, 'the process remembers the version it wrote');
      assert.equal(rememberedCard(db, card.id)?.card.nickname, row.nickname);
    }
  });

  // Every write goes through the jsonb array of saveCardsIfUnchanged, shared or not.
  test('a physical card keeps its shipping address, a jsonb object, through the write statement', async () => {
    const physical = await makeCard(app, org, 'standard');
    const addressOf = async () => (await db.selectFrom('cards').select('address').where('id', '=', physical.id).executeTakeFirstOrThrow()).address;
    const created = await addressOf();
    assert.equal(created?.first_line, ADDRESS.first_line, JSON.stringify(created));
    const [other] = await rememberedCards(1);
    assert.equal((await patch(app, org.owner, physical.id, 'nickname', { nickname: 'Physical' })).statusCode, 200);
    const statistics = batchStatistics(db);
    // A physical card is pending until activated: a nickname is a change it accepts.
    const answers = await Promise.all([
      patch(app, org.owner, physical.id, 'nickname', { nickname: 'Physical again' }), put(app, org.owner, other!.id, 'lock'),
    ]);
    assert.ok(answers.every((a) => a.statusCode === 200), answers.map((a) => a.body).join('\n'));
    assert.deepEqual(await addressOf(), created);
    const row = await db.selectFrom('cards').select('api_json').where('id', '=', physical.id).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.api_json), answers[0]!.json().card);
  });

  test('a card whose row another transaction holds does not hold up the others of its statement', { skip: deps.engine.kind !== 'postgres' && 'PGlite runs one transaction at a time' }, async () => {
    const cards = await rememberedCards(6);
    const held = cards[0]!;
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM cards WHERE id = ${held.id} FOR UPDATE`.execute(trx);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    let heldAnswered = false;
    const heldAnswer = put(app, org.owner, held.id, 'lock').then((a) => { heldAnswered = true; return a; });
    try {
      const others = Promise.all(cards.slice(1).map((c) => put(app, org.owner, c.id, 'lock')));
      const answers = await Promise.race([others, new Promise<'waiting'>((resolve) => setTimeout(resolve, 5000, 'waiting').unref())]);
      if (answers === 'waiting') assert.fail('the other cards waited for the held row');
      assert.ok(answers.every((a) => a.statusCode === 200), answers.map((a) => a.body).join('\n'));
      assert.equal(heldAnswered, false, 'the held card was written while its row was held');
    } finally {
      release();
      await holding;
    }
    assert.equal((await heldAnswer).statusCode, 200);
    for (const card of cards) assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated', 'locked']);
  });

  test('changes of one card sent at once apply one after the other, each accepted one with its event', async () => {
    const [card] = await rememberedCards(1);
    const answers = await Promise.all(['lock', 'unlock', 'lock', 'unlock', 'lock'].map((action) => put(app, org.owner, card!.id, action)));
    const accepted = answers.filter((a) => a.statusCode === 200).length;
    const events = (await eventsOf(db, card!.id)).slice(2);
    // Each accepted change is one event, in an order the state machine allows (lock and unlock alternate).
    assert.equal(events.length, accepted);
    assert.ok(events.every((e, i) => e === (i % 2 === 0 ? 'locked' : 'unlocked')), events.join());
    assert.equal(await statusOf(db, card!.id), events.length % 2 === 1 ? 'paused' : 'live');
  });
}
