import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardApiObject } from '../../src/domain/card.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';

const { app, deps } = await startTestApp();
const db = deps.engine.db;
const org = await createOrgFixture(db);
const other = await createOrgFixture(db);
const [card, flash] = await insertTestCards(db, org, [
  { nickname: '💳 for 🍗', card_level: 'standard', status: 'pin_blocked' },
  { card_level: 'flash', last_activity_at: new Date('2025-03-04T05:06:07.891Z') },
]);
const [foreign] = await insertTestCards(db, other, [{}]);

const get = (id: string, auth = org.owner.auth) =>
  app.inject({ method: 'GET', url: `/v2/cards/${id}`, headers: { authorization: auth } });

test('a card opens as {"card": …}, the same object the list returns', async () => {
  const res = await get(card!.id);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['card']);
  assert.deepEqual(body.card, JSON.parse(JSON.stringify(cardApiObject(card!))));
  const listed = (await app.inject({ method: 'GET', url: `/v2/cards?ids[]=${card!.id}`, headers: { authorization: org.owner.auth } })).json();
  assert.deepEqual(listed.cards[0], body.card);
});

test('an upper-case id opens the same card', async () => {
  const res = await get(flash!.id.toUpperCase());
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().card.id, flash!.id);
  assert.equal(res.json().card.last_activity_at, '2025-03-04T05:06:07Z');
});

for (const [what, id] of [
  ['an unknown id', '6f1c1a5e-0000-4000-8000-000000000000'],
  ['another organization\'s card', () => foreign!.id],
  ['a malformed id', 'not-a-uuid'],
  ['an id with SQL in it', "x' OR '1'='1"],
  ['an over-long id', 'a'.repeat(100)],
] as const) {
  test(`${what} is a 404 in Qonto format naming the id parameter`, async () => {
    const res = await get(encodeURIComponent(typeof id === 'function' ? id() : id));
    assert.equal(res.statusCode, 404);
    const body = res.json();
    assert.deepEqual(body.errors, [{ code: 'not_found', detail: 'card not found', source: { parameter: 'id' } }]);
    assert.match(body.trace_id, /^[0-9a-f]{32}$/);
  });
}

for (const id of ['a'.repeat(101), 'a'.repeat(5000), '%E0%A4%A', '%']) {
  test(`an id the router rejects (${id.slice(0, 12)}…) is still a 404 in Qonto format`, async () => {
    const res = await get(id);
    assert.equal(res.statusCode, 404);
    const body = res.json();
    assert.equal(body.errors[0].code, 'not_found');
    assert.equal(body.trace_id, res.headers['x-tyk-trace-id']);
  });
}
