import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardSearchText, type CardRecord } from '../../src/domain/card.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type OrgFixture } from '../helpers/fixtures.ts';

// Search terms without a trigram (one or two characters, symbols, non-ASCII letters) take a different SQL path
// than longer ones (strpos over the narrow cards_short_search index instead of LIKE over the trigram index):
// both must return exactly the cards whose searchable fields contain the term, and never another
// organization's.

const { app, deps } = await startTestApp();
const db = deps.engine.db;

const nicknames = ['Ωmega', 'ωx Travel', 'Café ¤', 'x-y card', 'plain', 'Ads %5', 'a_b', 'Zoë', 'ωmega 2', 'Fuel'];

async function setup(org: OrgFixture, extra: string[] = []) {
  const holders = [org.employee, org.outsider, org.manager, org.owner];
  const names = [...nicknames, ...extra];
  const cards = await insertTestCards(db, org, names.map((nickname, i) => ({
    nickname,
    holder: holders[i % holders.length]!,
    status: i % 3 === 0 ? 'paused' : 'live',
  })));
  const holderOf = (c: CardRecord) => holders.find((h) => h.id === c.holder_id)!;
  return { cards, matching: (term: string) => cards.filter((c) => cardSearchText(c, holderOf(c)).includes(term)) };
}

const org = await createOrgFixture(db);
const other = await createOrgFixture(db);
const mine = await setup(org);
// The other organization has the same nicknames plus some found only there.
await setup(other, ['ǂǂ only there', 'Ω¤']);

async function list(qs: string, auth = org.owner.auth) {
  const res = await app.inject({ method: 'GET', url: `/v2/cards?${qs}`, headers: { authorization: auth } });
  assert.equal(res.statusCode, 200, `${qs}: ${res.body}`);
  const body = res.json();
  assert.ok(body.cards.every((c: { organization_id: string }) => c.organization_id === org.id), qs);
  return { ids: body.cards.map((c: { id: string }) => c.id) as string[], total: body.meta.total_count as number };
}

const ids = (cards: CardRecord[]) => cards.map((c) => c.id).sort();
const q = encodeURIComponent;

test('terms without a trigram match exactly the cards containing them, case-insensitively, counted exactly', async () => {
  const terms = ['ω', 'Ω', 'ωx', '¤', 'é', 'ë', 'x-y', '-', '%', '_', 'a_', '5', 'e', 'os', 'ly', 'zz', ' c', 'É ¤'];
  for (const term of terms) {
    const expected = mine.matching(term.toLowerCase());
    const { ids: got, total } = await list(`per_page=100&query=${q(term)}`);
    assert.deepEqual(got.sort(), ids(expected), term);
    assert.equal(total, expected.length, `total_count of ${term}`);
  }
  // Sanity: the terms above do reach cards (the oracle is not trivially empty).
  assert.equal(mine.matching('ω').length, 3);
});

test('terms with a trigram still match the same way', async () => {
  for (const term of ['mega', 'travel', 'card', 'oscar', 'ωmega 2']) {
    const expected = mine.matching(term.toLowerCase());
    const { ids: got, total } = await list(`per_page=100&query=${q(term)}`);
    assert.deepEqual(got.sort(), ids(expected), term);
    assert.equal(total, expected.length, term);
  }
});

test('another organization\'s cards never match a short term', async () => {
  for (const term of ['ǂ', 'ǂǂ', 'ω¤', 'Ω¤']) {
    const { ids: got, total } = await list(`query=${q(term)}`);
    assert.deepEqual(got, [], term);
    assert.equal(total, 0, term);
  }
  const { total } = await list(`query=${q('ω')}`);
  assert.equal(total, 3);
});

test('a short search combines with filters and pages in the requested order', async () => {
  const expected = mine.matching('a').filter((c) => c.status === 'live')
    .sort((x, y) => Buffer.compare(Buffer.from(y.nickname), Buffer.from(x.nickname)) || (x.id < y.id ? 1 : -1));
  assert.ok(expected.length >= 3);
  const seen: string[] = [];
  for (let page = 1; page <= Math.ceil(expected.length / 2); page++) {
    const { ids: got, total } = await list(`per_page=2&page=${page}&sort_by=nickname:desc&statuses[]=live&query=a`);
    assert.equal(total, expected.length);
    seen.push(...got);
  }
  assert.deepEqual(seen, expected.map((c) => c.id));
});

test('a short search by a manager or an employee sees only the cards they may see', async () => {
  const team = new Set([org.manager.id, org.employee.id]);
  const forManager = mine.matching('a').filter((c) => team.has(c.holder_id));
  const asManager = await list(`per_page=100&query=a`, org.manager.auth);
  assert.deepEqual(asManager.ids.sort(), ids(forManager));
  assert.equal(asManager.total, forManager.length);
  const forEmployee = mine.matching('a').filter((c) => c.holder_id === org.employee.id);
  const asEmployee = await list(`per_page=100&query=a`, org.employee.auth);
  assert.deepEqual(asEmployee.ids.sort(), ids(forEmployee));
});
