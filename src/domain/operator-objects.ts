import type { Selectable } from 'kysely';
import type { TeamsTable } from '../db/schema.ts';
import type { BankAccountRow, MembershipRow, OrganizationRow } from './organization-objects.ts';

// The objects of qcards' own operator API (not Qonto's): every column an integrator may want to assert on,
// timestamps in ISO 8601. Pure.

export type TeamRow = Selectable<TeamsTable>;

export function operatorTeam(t: TeamRow) {
  return { id: t.id, organization_id: t.organization_id, name: t.name, created_at: t.created_at.toISOString() };
}

export function operatorMembership(m: MembershipRow) {
  return {
    id: m.id,
    organization_id: m.organization_id,
    first_name: m.first_name,
    last_name: m.last_name,
    email: m.email,
    role: m.role,
    team_id: m.team_id,
    status: m.status,
    phone_number: m.phone_number,
    position: m.position,
    locale: m.locale,
    residence_country: m.residence_country,
    nationality: m.nationality,
    birth_country: m.birth_country,
    birthdate: m.birthdate,
    ubo: m.ubo,
    kyc_status: m.kyc_status,
    created_at: m.created_at.toISOString(),
  };
}

export function operatorBankAccount(a: BankAccountRow) {
  return {
    id: a.id,
    organization_id: a.organization_id,
    name: a.name,
    slug: a.slug,
    iban: a.iban,
    bic: a.bic,
    currency: a.currency,
    balance_cents: a.balance_cents,
    authorized_balance_cents: a.authorized_balance_cents,
    status: a.status,
    main: a.main,
    is_external_account: a.is_external_account,
    account_number: a.account_number,
    created_at: a.created_at.toISOString(),
  };
}

export function operatorOrganizationSummary(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    legal_name: o.legal_name,
    created_at: o.created_at.toISOString(),
  };
}

export function operatorOrganization(
  o: OrganizationRow,
  related: { teams: TeamRow[]; memberships: MembershipRow[]; bankAccounts: BankAccountRow[]; cardCount: number },
) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    legal_name: o.legal_name,
    legal_number: o.legal_number,
    legal_country: o.legal_country,
    legal_form: o.legal_form,
    legal_share_capital: o.legal_share_capital,
    legal_sector: o.legal_sector,
    legal_registration_date: o.legal_registration_date,
    legal_address: o.legal_address,
    locale: o.locale,
    contract_signed_at: o.contract_signed_at === null ? null : o.contract_signed_at.toISOString(),
    created_at: o.created_at.toISOString(),
    teams: related.teams.map(operatorTeam),
    memberships: related.memberships.map(operatorMembership),
    bank_accounts: related.bankAccounts.map(operatorBankAccount),
    card_count: related.cardCount,
  };
}
