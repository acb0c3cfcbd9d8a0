import { Type } from 'typebox';
import { decideSca, scaResult } from '../../../services/sca.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { WRITE_SECURITY } from './schemas.ts';

// Qonto's SCA session endpoints, as its sandbox has them: poll a session, and the mocked user decision.
// Any credential of the session's organization may call them (no scope is needed for one's own SCA).

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
// Qonto's poll answer: `{"result": …, "canceled_at": ""}` (qonto-reference.md §4.1); sessions here are never
// canceled, so canceled_at is always the empty string Qonto shows.
const ResultBody = Type.Object({
  result: Type.Union([Type.Literal('waiting'), Type.Literal('allow'), Type.Literal('deny')]),
  canceled_at: Type.String(),
});

export function registerScaSessions(app: App, deps: AppDeps): void {
  const auth = requireScopes(deps.engine.db, deps.clock, []);
  const { db } = deps.engine;
  for (const path of ['/v2/sca_sessions/:token', '/v2/mocked_sca_sessions/:token']) {
    app.get(path, {
      schema: { tags: ['SCA'], summary: 'Retrieve an SCA session', security: WRITE_SECURITY, params: TokenParams, response: { 200: ResultBody } },
      onRequest: auth,
    }, async (request) => ({ result: await scaResult(db, deps.clock, principalOf(request), request.params.token), canceled_at: '' }));
  }
  for (const result of ['allow', 'deny'] as const) {
    app.post(`/v2/mocked_sca_sessions/:token/${result}`, {
      schema: {
        tags: ['SCA'], summary: `Simulate the user's decision: ${result}`, security: WRITE_SECURITY, params: TokenParams,
        response: { 200: Type.Object({ message: Type.String() }) },
      },
      onRequest: auth,
    }, async (request) => {
      await decideSca(db, deps.clock, principalOf(request), request.params.token, result);
      return { message: 'Success' };
    });
  }
}
