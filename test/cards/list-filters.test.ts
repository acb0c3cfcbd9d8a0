import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CardLevel, CardStatus } from '../../src/db/schema.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type CardSpec, type OrgFixture } from '../helpers/fixtures.ts';

// Each filter alone and combined, the search over its nine fields, and another organization's cards reached
// through every filter and every search: never returned, never counted.

const { app, deps } = await startTestApp();
const db = deps.engine.db;

const levels: CardLevel[] = ['standard', 'plus', 'metal', 'virtual', 'flash', 'advertising'];
const statuses: CardStatus[] = ['live', 'paused', 'pending', 'lost', 'discarded', 'live', 'pin_blocked'];
const nicknames = ['Travel 💳', 'Ads %50', 'under_score', 'back\\slash', "O'Brien's", 'Marketing', 'Fuel', 'Cloud SaaS', 'Office'];

function specsFor(org: OrgFixture, prefix: string): CardSpec[] {
  const holders = [org.employee, org.outsider, org.manager, org.owner];
  return Array.from({ length: 24 }, (_, i) => ({
    holder: holders[i % holders.length]!,
    card_level: levels[i % levels.length]!,
    status: statuses[i % statuses.length]!,
    bank_account_id: org.accounts[i % 2]!,
    nickname: `${prefix}${nicknames[i % nicknames.length]!}`,
  }));
}

const org = await createOrgFixture(db);
const other = await createOrgFixture(db);
const cards = await insertTestCards(db, org, specsFor(org, ''));
// The other organization has the same kinds of cards, plus names and nicknames found only there.
const otherCards = await insertTestCards(db, other, [
  ...specsFor(other, ''),
  { holder: other.outsider, nickname: 'Zanzibar secret', card_level: 'virtual' },
]);

async function list(qs: string, auth = org.owner.auth) {
  const res = await app.inject({ method: 'GET', url: `/v2/cards?per_page=100&${qs}`, headers: { authorization: auth } });
  assert.equal(res.statusCode, 200, `${qs}: ${res.body}`);
  const body = res.json();
  return { ids: body.cards.map((c: { id: string }) => c.id).sort() as string[], total: body.meta.total_count as number, body };
}

const idsOf = (list: CardRecord[]) => list.map((c) => c.id).sort();
const q = encodeURIComponent;

async function expectCards(qs: string, expected: CardRecord[]) {
  const { ids, total } = await list(qs);
  assert.deepEqual(ids, idsOf(expected), qs);
  assert.equal(total, expected.length, `total_count of ${qs}`);
}

test('holder_ids[] keeps the cards of the given holders', async () => {
  await expectCards(`holder_ids[]=${org.outsider.id}`, cards.filter((c) => c.holder_id === org.outsider.id));
  await expectCards(`holder_ids[]=${org.outsider.id}&holder_ids[]=${org.owner.id}`,
    cards.filter((c) => c.holder_id === org.outsider.id || c.holder_id === org.owner.id));
});

test('statuses[] keeps the cards in any of the given statuses, counted exactly', async () => {
  await expectCards('statuses[]=live', cards.filter((c) => c.status === 'live'));
  await expectCards('statuses[]=paused&statuses[]=lost&statuses[]=expired', cards.filter((c) => ['paused', 'lost'].includes(c.status)));
});

test('card_levels[] keeps the cards of the given levels, counted exactly', async () => {
  await expectCards('card_levels[]=virtual', cards.filter((c) => c.card_level === 'virtual'));
  await expectCards('card_levels[]=metal&card_levels[]=flash', cards.filter((c) => ['metal', 'flash'].includes(c.card_level)));
});

test('bank_account_ids[] keeps the cards of the given accounts, counted exactly', async () => {
  await expectCards(`bank_account_ids[]=${org.accounts[1]}`, cards.filter((c) => c.bank_account_id === org.accounts[1]));
  await expectCards(`bank_account_ids[]=${org.accounts[0]}&bank_account_ids[]=${org.accounts[1]}`, cards);
});

test('ids[] keeps the given cards, in any letter case', async () => {
  const picked = [cards[3]!, cards[17]!];
  await expectCards(`ids[]=${picked[0]!.id}&ids[]=${picked[1]!.id.toUpperCase()}`, picked);
});

test('filters combine with AND, and with a search', async () => {
  const expected = cards.filter((c) => ['live', 'paused'].includes(c.status) && ['virtual', 'standard', 'plus'].includes(c.card_level) && c.bank_account_id === org.accounts[0]);
  await expectCards(`statuses[]=live&statuses[]=paused&card_levels[]=virtual&card_levels[]=standard&card_levels[]=plus&bank_account_ids[]=${org.accounts[0]}`, expected);
  const withHolder = expected.filter((c) => c.holder_id === org.employee.id);
  await expectCards(`statuses[]=live&statuses[]=paused&card_levels[]=virtual&card_levels[]=standard&card_levels[]=plus&bank_account_ids[]=${org.accounts[0]}&holder_ids[]=${org.employee.id}`, withHolder);
  await expectCards(`statuses[]=live&query=emile`, cards.filter((c) => c.status === 'live' && c.holder_id === org.employee.id));
  await expectCards(`ids[]=${cards[0]!.id}&ids[]=${cards[1]!.id}&statuses[]=${cards[0]!.status}`, [cards[0]!]);
});

test('query matches holder first and last names case-insensitively', async () => {
  await expectCards('query=OSCAR', cards.filter((c) => c.holder_id === org.outsider.id));
  await expectCards('query=utsid', cards.filter((c) => c.holder_id === org.outsider.id));
  await expectCards('query=Manager', cards.filter((c) => c.holder_id === org.manager.id));
});

test('query matches the card id, a fragment of it, last digits, status, expiry year and month', async () => {
  const card = cards[5]!;
  await expectCards(`query=${card.id.toUpperCase()}`, [card]);
  await expectCards(`query=${card.id.slice(9, 23)}`, cards.filter((c) => c.id.includes(card.id.slice(9, 23))));
  await expectCards(`query=${card.last_digits}`, cards.filter((c) => [c.last_digits, c.id, c.exp_year].some((f) => f.includes(card.last_digits))));
  await expectCards('query=pin_blocked', cards.filter((c) => c.status === 'pin_blocked'));
  await expectCards(`query=${card.exp_year}`, cards.filter((c) => c.exp_year.includes(card.exp_year) || c.id.includes(card.exp_year) || c.last_digits.includes(card.exp_year) || (c.pre_expires_at?.toISOString().replace(/\.\d{3}Z$/, 'Z').includes(card.exp_year) ?? false)));
});

test('query matches a flash card\'s pre_expires_at as the API prints it', async () => {
  const flash = cards.find((c) => c.card_level === 'flash' && c.pre_expires_at !== null)!;
  const printed = flash.pre_expires_at!.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { ids } = await list(`query=${q(printed)}`);
  assert.ok(ids.includes(flash.id));
});

test('query matches nickname fragments: emoji, quotes, and LIKE wildcards taken literally', async () => {
  await expectCards(`query=${q('💳')}`, cards.filter((c) => c.nickname.includes('💳')));
  await expectCards(`query=${q("o'brien")}`, cards.filter((c) => c.nickname.includes("O'Brien")));
  await expectCards(`query=${q('%')}`, cards.filter((c) => c.nickname.includes('%')));
  await expectCards(`query=${q('_')}`, cards.filter((c) => c.nickname.includes('_') || c.status.includes('_')));
  await expectCards(`query=${q('r_s')}`, cards.filter((c) => c.nickname.toLowerCase().includes('r_s')));
  await expectCards(`query=${q('\\')}`, cards.filter((c) => c.nickname.includes('\\')));
  await expectCards(`query=${q('k\\s')}`, cards.filter((c) => c.nickname.includes('k\\s')));
});

test('query of one or two characters still searches (without the trigram index)', async () => {
  const holders = [org.employee, org.outsider, org.manager, org.owner];
  const fields = (c: CardRecord) => {
    const h = holders.find((m) => m.id === c.holder_id)!;
    return [h.first_name, h.last_name, c.id, c.nickname, c.last_digits, c.status, c.exp_year, c.exp_month].map((f) => f.toLowerCase());
  };
  for (const term of ['os', 'e', '9']) {
    await expectCards(`query=${term}`, cards.filter((c) => fields(c).some((f) => f.includes(term)) || (c.pre_expires_at?.toISOString().replace(/\.\d{3}Z$/, 'Z').includes(term) ?? false)));
  }
});

test('query cannot match across two fields, and odd terms match nothing without an error', async () => {
  await expectCards(`query=${q('oscar\noutsider')}`, []);
  for (const term of ['zzzzqqq', '"', '%00', '%0D%0A', '%F0%9F%98%80%F0%9F%98%80', 'x'.repeat(2000), '%ED%A0%80', '%FF%FE', '%%%', '%25%25', '%5C%25', '%E2%80%AE', '%']) {
    const res = await app.inject({ method: 'GET', url: `/v2/cards?query=${term}`, headers: { authorization: org.owner.auth } });
    assert.equal(res.statusCode, 200, `${JSON.stringify(term)}: ${res.body}`);
    assert.ok(res.json().cards.every((c: { organization_id: string }) => c.organization_id === org.id));
  }
});

test('another organization\'s cards never come back through any filter or search', async () => {
  const foreign = otherCards[0]!;
  const probes = [
    `ids[]=${foreign.id}`,
    `holder_ids[]=${other.outsider.id}`,
    `holder_ids[]=${foreign.holder_id}`,
    `bank_account_ids[]=${other.accounts[0]}`,
    `bank_account_ids[]=${other.accounts[1]}&statuses[]=live`,
    `bank_account_ids[]=${other.accounts[0]}&card_levels[]=virtual`,
    `query=${foreign.id}`,
    `query=${foreign.last_digits}&ids[]=${foreign.id}`,
    'query=zanzibar',
    `query=${q(other.owner.last_name)}&holder_ids[]=${other.owner.id}`,
  ];
  for (const probe of probes) {
    const { ids, total } = await list(probe);
    assert.deepEqual(ids, [], probe);
    assert.equal(total, 0, probe);
  }
  // Filters that match both organizations count and return only the caller's cards.
  for (const probe of ['statuses[]=live', 'card_levels[]=virtual', 'query=oscar', 'query=a', `query=${foreign.last_digits}`, '']) {
    const { body, total } = await list(probe);
    assert.ok(body.cards.every((c: { organization_id: string }) => c.organization_id === org.id), probe);
    assert.ok(total <= cards.length, probe);
  }
});
