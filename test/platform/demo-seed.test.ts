import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CARD_LEVELS, CARD_STATUSES } from '../../src/db/schema.ts';
import { cardApiObject } from '../../src/domain/card.ts';
import { isLuhnValid } from '../../src/domain/card-numbers.ts';
import { seedDemoOrganization } from '../../src/services/demo-seed.ts';
import { startTestApp } from '../helpers/app.ts';

const { app, deps } = await startTestApp();
const db = deps.engine.db;
const demo = await seedDemoOrganization(db, deps.clock);
const cards = await db.selectFrom('cards').selectAll().where('organization_id', '=', demo.organization_id).execute();

test('the demo organization has 150 cards over every level and every status', () => {
  assert.equal(cards.length, 150);
  assert.deepEqual(new Set(cards.map((c) => c.card_level)), new Set(CARD_LEVELS));
  assert.deepEqual(new Set(cards.map((c) => c.status)), new Set(CARD_STATUSES));
  assert.ok(cards.every((c) => isLuhnValid(c.pan)));
});

test('demo cards vary the way a real company\'s do', () => {
  const now = deps.clock.now().getTime();
  assert.ok(cards.some((c) => /\p{Extended_Pictographic}/u.test(c.nickname)), 'emoji nicknames');
  assert.ok(new Set(cards.map((c) => c.nickname)).size > 30, 'varied nicknames');
  assert.ok(cards.some((c) => c.last_activity_at === null) && cards.some((c) => c.last_activity_at !== null));
  assert.ok(cards.some((c) => c.active_days.length < 7), 'active_days restrictions');
  assert.ok(cards.some((c) => c.categories.length > 0), 'category restrictions');
  assert.ok(cards.some((c) => c.payment_monthly_spent > 0) && cards.some((c) => c.atm_monthly_spent > 0), 'spent counters');
  assert.ok(new Set(cards.map((c) => c.payment_monthly_limit)).size > 3, 'varied limits');
  assert.ok(cards.some((c) => !c.foreign_option) && cards.some((c) => c.foreign_option));
  const ages = cards.map((c) => (now - c.created_at.getTime()) / 86_400_000);
  assert.ok(Math.max(...ages) > 500 && Math.max(...ages) <= 731 && Math.min(...ages) < 30, 'created over two years');
  for (const c of cards) {
    assert.ok(c.created_at.getTime() <= now);
    assert.ok(c.updated_at >= c.created_at);
    if (c.last_activity_at) assert.ok(c.last_activity_at >= c.created_at && c.last_activity_at.getTime() <= now);
    assert.ok(c.payment_daily_spent <= c.payment_monthly_spent);
    assert.ok(c.payment_transaction_limit <= c.payment_daily_limit && c.payment_daily_limit <= c.payment_monthly_limit);
  }
  const flash = cards.filter((c) => c.card_level === 'flash');
  assert.ok(flash.every((c) => c.pre_expires_at !== null && c.payment_lifespan_limit !== null));
  assert.ok(flash.filter((c) => c.status === 'live').every((c) => c.pre_expires_at!.getTime() > now), 'live flash cards are still valid');
  assert.ok(flash.filter((c) => c.status === 'pre_expired').every((c) => c.pre_expires_at!.getTime() < now));
  assert.ok(flash.some((c) => c.payment_lifespan_spent > 0));
  const physical = cards.filter((c) => ['standard', 'plus', 'metal'].includes(c.card_level));
  assert.ok(physical.every((c) => c.address !== null));
  assert.ok(cards.filter((c) => !['standard', 'plus', 'metal'].includes(c.card_level)).every((c) => c.address === null));
  assert.ok(physical.some((c) => c.shipped_at !== null));
  const renewals = cards.filter((c) => c.renewal);
  assert.ok(renewals.length >= 5);
  for (const r of renewals) {
    const parent = cards.find((c) => c.id === r.parent_card_id)!;
    assert.ok(parent.renewed);
    assert.equal(r.parent_last_digits, parent.last_digits);
    assert.equal(r.holder_id, parent.holder_id);
  }
  const expired = cards.filter((c) => c.status === 'expired' && c.card_level !== 'flash');
  assert.ok(expired.every((c) => Date.UTC(Number(c.exp_year), Number(c.exp_month) - 1, 1) < now));
});

test('each demo card\'s stored JSON is its API object, parent summary included', () => {
  for (const c of cards) {
    const { search_text: _s, api_json, ...record } = c;
    assert.deepEqual(JSON.parse(api_json), JSON.parse(JSON.stringify(cardApiObject(record))));
  }
  const renewal = cards.find((c) => c.renewal)!;
  assert.deepEqual(JSON.parse(renewal.api_json).parent_card_summary, { id: renewal.parent_card_id, last_digits: renewal.parent_last_digits });
});

test('every role is present, the demo employee holds cards, and the printed credentials work', async () => {
  assert.deepEqual(new Set(demo.memberships.map((m) => m.role)), new Set(['owner', 'admin', 'manager', 'employee', 'reporting']));
  const employee = demo.memberships.find((m) => m.id === demo.employee_membership_id)!;
  assert.equal(employee.role, 'employee');
  assert.ok(cards.filter((c) => c.holder_id === employee.id).length >= 5);
  const people = await db.selectFrom('memberships').selectAll().where('organization_id', '=', demo.organization_id).execute();
  const manager = people.find((p) => p.role === 'manager')!;
  assert.ok(manager.team_id !== null);
  assert.ok(people.some((p) => p.role === 'employee' && p.team_id === manager.team_id));
  assert.ok(people.some((p) => p.role === 'employee' && p.team_id !== manager.team_id));

  const list = await app.inject({ method: 'GET', url: '/v2/memberships', headers: { authorization: demo.api_key } });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().meta.total_count, demo.memberships.length);
  const org = await app.inject({ method: 'GET', url: '/v2/organization', headers: { authorization: `Bearer ${demo.access_token}` } });
  assert.equal(org.json().organization.bank_accounts.length, 3);
  assert.equal(org.json().organization.bank_accounts.filter((a: { main: boolean }) => a.main).length, 1);
  const me = await app.inject({ method: 'GET', url: '/v2/membership', headers: { authorization: `Bearer ${demo.employee_access_token}` } });
  assert.equal(me.json().membership.id, demo.employee_membership_id);
});

test('the demo content is reproducible: a second seed gives the same cards with new ids', async () => {
  const again = await seedDemoOrganization(db, deps.clock);
  assert.notEqual(again.organization_id, demo.organization_id);
  const second = await db.selectFrom('cards').select(['nickname', 'card_level', 'status', 'last_digits']).where('organization_id', '=', again.organization_id).orderBy('nickname').orderBy('last_digits').execute();
  const first = cards.map((c) => ({ nickname: c.nickname, card_level: c.card_level, status: c.status, last_digits: c.last_digits }))
    .sort((a, b) => (a.nickname < b.nickname ? -1 : a.nickname > b.nickname ? 1 : a.last_digits < b.last_digits ? -1 : 1));
  assert.deepEqual(second, first);
});
