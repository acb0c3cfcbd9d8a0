import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { batchStatistics } from '../../src/services/card-write-batches.ts';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { eventsOf, makeCard, patch, put, statusOf } from '../helpers/lifecycle.ts';

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
