import { Type } from 'typebox';
import { CARD_LEVELS } from '../../../db/schema.ts';
import { APPEARANCES, assetsOf } from '../../../domain/appearances.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireScopes } from '../../auth.ts';
import { WRITE_SECURITY } from './schemas.ts';
import { sendJsonText } from '../../json-text.ts';

// GET /v2/cards/appearances (qonto-reference.md §1.10): the designs of src/domain/appearances.ts grouped by card
// type (flash cards are prepaid, the others debit) and level. Static, so rendered once.
const BODY = JSON.stringify({
  card_type_appearances: (['debit', 'prepaid'] as const).map((cardType) => ({
    card_type: cardType,
    card_level_appearances: CARD_LEVELS.filter((l) => (l === 'flash') === (cardType === 'prepaid')).map((level) => ({
      card_level: level,
      appearances: APPEARANCES[level].map((a) => ({
        design: a.design, assets: assetsOf(a.design), theme: a.theme, gradient_hex_color: a.gradient_hex_color, is_active: a.is_active,
      })),
    })),
  })),
});

export function registerAppearances(app: App, deps: AppDeps): void {
  app.get('/v2/cards/appearances', {
    schema: {
      tags: ['Cards'], summary: 'List card appearances', security: WRITE_SECURITY,
      response: { 200: Type.Object({ card_type_appearances: Type.Array(Type.Object({}, { additionalProperties: true })) }) },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.read']),
  }, async (_request, reply) => sendJsonText(reply, BODY));
}
