import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { createCard, eventsOf, newCardBody, patch, put, statusOf } from '../helpers/lifecycle.ts';

// Model-based: random sequences of card operations against a model of the state machine written
// independently of the domain's table. After every operation the answer (200 or 422) and the status must
// match the model; after every sequence, each card's status and its recorded events must match exactly.

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function modelTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);

  const LEVELS = ['standard', 'plus', 'metal', 'virtual', 'flash', 'advertising'] as const;
  const ACTIONS = ['activate', 'lock', 'unlock', 'lost', 'stolen', 'discard', 'nickname'] as const;
  type Action = (typeof ACTIONS)[number];

  interface ModelCard {
    id: string;
    level: (typeof LEVELS)[number];
    status: string;
    events: string[];
  }

  const physical = (level: string) => ['standard', 'plus', 'metal'].includes(level);
  const terminal = (status: string) => ['lost', 'stolen', 'discarded'].includes(status);

  /** The model: the status after `action` and the event it records, or null when the action must be refused. */
  function model(card: ModelCard, action: Action): { status: string; event: string | null } | null {
    const s = card.status;
    if (terminal(s)) return null;
    switch (action) {
      case 'activate': return s === 'pending' ? { status: 'live', event: 'activated' } : null;
      case 'lock': return s === 'live' ? { status: 'paused', event: 'locked' } : null;
      case 'unlock': return s === 'paused' ? { status: 'live', event: 'unlocked' } : null;
      case 'lost': return physical(card.level) ? { status: 'lost', event: null } : null;
      case 'stolen': return physical(card.level) ? { status: 'stolen', event: null } : null;
      case 'discard': return physical(card.level) ? null : { status: 'discarded', event: 'discarded' };
      case 'nickname': return { status: s, event: 'nickname_updated' };
    }
  }

  async function perform(id: string, action: Action) {
    if (action === 'activate') return app.inject({ method: 'POST', url: `/qcards/sandbox/v1/cards/${id}/activate`, headers: { authorization: org.owner.auth } });
    if (action === 'nickname') return patch(app, org.admin, id, 'nickname', { nickname: `n-${action}` });
    return put(app, org.owner, id, action);
  }

  const Op = fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), level: fc.constantFrom(...LEVELS) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('act' as const), action: fc.constantFrom(...ACTIONS), card: fc.nat() }) },
  );

  test('random operation sequences match the state machine model, statuses and events exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LEVELS), fc.array(Op, { minLength: 1, maxLength: 14 }), async (firstLevel, ops) => {
        const cards: ModelCard[] = [];
        for (const op of [{ kind: 'create' as const, level: firstLevel }, ...ops]) {
          if (op.kind === 'create') {
            const res = await createCard(app, org.owner.auth, newCardBody(org, op.level));
            assert.equal(res.statusCode, 200, res.body);
            cards.push({ id: res.json().card.id, level: op.level, status: physical(op.level) ? 'pending' : 'live', events: ['created'] });
            continue;
          }
          const card = cards[op.card % cards.length]!;
          const expected = model(card, op.action);
          const res = await perform(card.id, op.action);
          if (expected === null) {
            assert.equal(res.statusCode, 422, `${op.action} on ${card.level} ${card.status}: ${res.body}`);
          } else {
            assert.equal(res.statusCode, 200, `${op.action} on ${card.level} ${card.status}: ${res.body}`);
            assert.equal(res.json().card.status, expected.status);
            card.status = expected.status;
            if (expected.event) card.events.push(expected.event);
          }
        }
        for (const card of cards) {
          assert.equal(await statusOf(db, card.id), card.status);
          assert.deepEqual(await eventsOf(db, card.id), card.events);
        }
      }),
      { numRuns: 12 },
    );
  });

}
