import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CARD_LEVELS, CARD_STATUSES } from '../../src/db/schema.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type CardSpec, type OrgFixture } from '../helpers/fixtures.ts';

// Random query strings against GET /v2/cards: known keys and junk keys, valid values and junk (arbitrary
// Unicode, broken percent-encoding, ids of another organization). Whatever comes in: never a 5xx; a 400 is
// Qonto's error body naming known parameters; a 200 holds only cards the caller may see, and its page size
// agrees with its own meta.

const { app, deps } = await startTestApp();
const db = deps.engine.db;

function specs(org: OrgFixture): CardSpec[] {
  const holders = [org.employee, org.outsider, org.manager, org.owner];
  return Array.from({ length: 30 }, (_, i) => ({
    holder: holders[i % 4]!,
    status: CARD_STATUSES[i % CARD_STATUSES.length]!,
    card_level: CARD_LEVELS[i % CARD_LEVELS.length]!,
    bank_account_id: org.accounts[i % 2]!,
    nickname: ['Travel 💳', 'Ads %', 'a_b', 'Fuel', 'x\\y', "it's"][i % 6]!,
    last_activity_at: i % 3 === 0 ? null : new Date(Date.UTC(2025, 0, 1 + (i % 5))),
  }));
}

const org = await createOrgFixture(db);
const other = await createOrgFixture(db);
const mine = await insertTestCards(db, org, specs(org));
const theirs = await insertTestCards(db, other, specs(other));
const visibleTo = new Map([
  [org.owner.auth, new Set(mine.map((c) => c.id))],
  [org.employee.auth, new Set(mine.filter((c) => c.holder_id === org.employee.id).map((c) => c.id))],
  [org.manager.auth, new Set(mine.filter((c) => c.holder_id === org.employee.id || c.holder_id === org.manager.id).map((c) => c.id))],
]);

const KNOWN = ['query', 'page', 'per_page', 'sort_by', 'holder_ids[]', 'statuses[]', 'bank_account_ids[]', 'card_levels[]', 'ids[]'];

const encode = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate: sent raw
  }
};

const ids = [...mine, ...theirs].map((c) => c.id);
const people = [org, other].flatMap((o) => [o.owner.id, o.employee.id, o.outsider.id, o.manager.id]);
const accounts = [...org.accounts, ...other.accounts];

const value = fc.oneof(
  fc.constantFrom(...ids, ...people, ...accounts, ...CARD_STATUSES, ...CARD_LEVELS).map(encode),
  fc.constantFrom('status:asc', 'nickname:desc', 'last_activity_at:asc', 'created_at:desc', 'status', 'x:asc', 'nickname:up').map(encode),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('', '0', '1', '2', '100', '101', '1e3', '0x10', ' 1', '9'.repeat(30), 'null', '[]', '{}'),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encode),
  fc.constantFrom('emile', 'oscar', 'travel', 'ads %', 'a_b', 'x\\y', "it's", '💳', 'zanzibar').map(encode),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '&', '=', '%00', '%0A', '[]', '%5B%5D'),
);
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN) },
  { weight: 1, arbitrary: fc.constantFrom('statuses', 'status[]', 'ids', 'Page', 'ids[0]', 'per_page[]', 'sort_by[]', 'query[]', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encode) },
);
const queryString = fc.array(fc.tuple(key, value), { maxLength: 8 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

test('random query strings never cause a 5xx, errors follow Qonto format, and only visible cards of the caller\'s organization come back', async () => {
  await fc.assert(
    fc.asyncProperty(queryString, fc.constantFrom(...visibleTo.keys()), async (qs, auth) => {
      const res = await app.inject({ method: 'GET', url: `/v2/cards?${qs}`, headers: { authorization: auth } });
      assert.ok(res.statusCode < 500, `${qs} → ${res.statusCode} ${res.body}`);
      const body = res.json();
      if (res.statusCode !== 200) {
        assert.equal(res.statusCode, 400, `${qs} → ${res.statusCode} ${res.body}`);
        assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
        for (const e of body.errors) {
          assert.equal(typeof e.code, 'string');
          assert.equal(typeof e.detail, 'string');
          assert.ok(KNOWN.includes(e.source?.parameter), `${qs}: ${JSON.stringify(e)}`);
        }
        assert.equal(body.trace_id, res.headers['x-tyk-trace-id']);
        return;
      }
      const { meta, cards } = body;
      const visible = visibleTo.get(auth)!;
      for (const card of cards) {
        assert.equal(card.organization_id, org.id, qs);
        assert.ok(visible.has(card.id), `${qs}: a card the caller may not see`);
      }
      assert.ok(meta.total_count <= visible.size, `${qs}: total_count ${meta.total_count} > ${visible.size}`);
      const expectedLength = Math.max(0, Math.min(meta.per_page, meta.total_count - (meta.current_page - 1) * meta.per_page));
      assert.equal(cards.length, expectedLength, `${qs}: page size disagrees with meta ${JSON.stringify(meta)}`);
      assert.equal(meta.total_pages, Math.ceil(meta.total_count / meta.per_page));
      assert.equal(new Set(cards.map((c: { id: string }) => c.id)).size, cards.length);
    }),
    { numRuns: 200 },
  );
});
