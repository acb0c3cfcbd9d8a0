import { Type } from 'typebox';
import { operatorBankAccount } from '../../../domain/operator-objects.ts';
import { addBankAccountToOrganization } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { BankAccountBody, BankAccountSchema, OPERATOR_BASE, OPERATOR_DOC, WRITE_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Create a bank account',
  description: 'A EUR account with a generated, checksum-valid French IBAN. Cards are attached to a bank account.',
  params: idParam('organization_id'),
  body: BankAccountBody,
  response: { 201: Type.Object({ bank_account: BankAccountSchema }), ...WRITE_ERRORS },
};

export function registerCreateBankAccount(app: App, deps: AppDeps): void {
  app.post(`${OPERATOR_BASE}/organizations/:organization_id/bank_accounts`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const id = checkId(request.params.organization_id, 'organization', 'organization_id');
    const account = await addBankAccountToOrganization(deps.engine.db, id, request.body);
    return reply.status(201).send({ bank_account: operatorBankAccount(account) });
  });
}
