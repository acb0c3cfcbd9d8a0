import { changeCard } from '../../../services/card-writes.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { CardIdParams, cardIdOf, CardResponse, NoBody, sendCard, WRITE_SECURITY } from './schemas.ts';

// The five body-less PUTs: one row each, the move itself is in the domain's transition table.
const OPERATIONS = [
  { path: 'lock', kind: 'lock', summary: 'Lock a card', description: 'live or pin_blocked → paused. Owners, admins and the holder.', sca: false },
  { path: 'unlock', kind: 'unlock', summary: 'Unlock a card', description: 'paused → live. Owners and admins. SCA when enabled.', sca: true },
  { path: 'lost', kind: 'lost', summary: 'Report a physical card as lost', description: 'Physical cards, any non-terminal status → lost (permanent, no webhook event). Owners, admins and the holder.', sca: false },
  { path: 'stolen', kind: 'stolen', summary: 'Report a physical card as stolen', description: 'Physical cards, any non-terminal status → stolen (permanent, no webhook event). Owners, admins and the holder.', sca: false },
  { path: 'discard', kind: 'discard', summary: 'Discard a virtual card', description: 'virtual, flash and advertising cards, any non-terminal status → discarded (permanent). Owners, admins and the holder.', sca: false },
] as const;

export function registerLifecycleRoutes(app: App, deps: AppDeps): void {
  for (const op of OPERATIONS) {
    const guards = writeGuards(deps, { sca: op.sca });
    app.put(`/v2/cards/:id/${op.path}`, {
      schema: { tags: ['Cards'], summary: op.summary, description: op.description, security: WRITE_SECURITY, params: CardIdParams, body: NoBody, response: { 200: CardResponse } },
      onRequest: requireScopes(deps.engine.db, deps.clock, ['card.write']),
      preHandler: guards.preHandler,
      onSend: guards.onSend,
    }, async (request, reply) => {
      const card = await changeCard(deps.engine.db, deps.clock, principalOf(request), cardIdOf(request.params), { kind: op.kind });
      return sendCard(reply, card);
    });
  }
}
