import { Type } from 'typebox';
import { operatorOrganizationSummary } from '../../../domain/operator-objects.ts';
import { pageMeta, pageOffset } from '../../../domain/page-meta.ts';
import { listOrganizations } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { PageMeta } from '../../schemas/common.ts';
import { OPERATOR_BASE, OPERATOR_DOC, OPERATOR_ERRORS, OrganizationSummarySchema, PageQuery } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'List organizations',
  description: 'Every organization of this server, oldest first, paginated like Qonto lists.',
  querystring: PageQuery,
  response: { 200: Type.Object({ organizations: Type.Array(OrganizationSummarySchema), meta: PageMeta }), ...OPERATOR_ERRORS },
};

export function registerListOrganizations(app: App, deps: AppDeps): void {
  app.get(`${OPERATOR_BASE}/organizations`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request) => {
    const page = request.query.page ?? 1;
    const perPage = request.query.per_page ?? 100;
    const { rows, total } = await listOrganizations(deps.engine.db, { limit: perPage, offset: pageOffset(page, perPage) });
    return { organizations: rows.map(operatorOrganizationSummary), meta: pageMeta(page, perPage, total) };
  });
}
