import type { Selectable } from 'kysely';
import type { BankAccountsTable, MembershipsTable, OrganizationsTable } from '../db/schema.ts';

// The one place where organization, membership and bank account rows become the objects of Qonto's
// supporting endpoints (GET /v2/organization, /v2/memberships, /v2/membership), keys in Qonto's order.

export type OrganizationRow = Selectable<OrganizationsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type BankAccountRow = Selectable<BankAccountsTable>;

/** `GET /v2/memberships` items (Qonto's list example, plus `team_id` from its reference page). */
export function membershipListItem(m: MembershipRow) {
  return {
    id: m.id,
    first_name: m.first_name,
    last_name: m.last_name,
    role: m.role,
    residence_country: m.residence_country,
    birthdate: m.birthdate,
    nationality: m.nationality,
    ubo: m.ubo,
    birth_country: m.birth_country,
    status: m.status,
    team_id: m.team_id,
  };
}

/** `GET /v2/membership`: the authenticated membership. */
export function currentMembership(m: MembershipRow) {
  return {
    id: m.id,
    first_name: m.first_name,
    last_name: m.last_name,
    email: m.email,
    phone_number: m.phone_number,
    position: m.position,
    status: m.status,
    role: m.role,
    locale: m.locale,
    team_id: m.team_id,
    kyc_status: m.kyc_status,
  };
}

/**
 * Qonto's example writes `contract_signed_at` as `2022-12-01 08:57:00.123047` (space, microseconds, no zone),
 * unlike every other timestamp; we reproduce it, in UTC, so a client parsing Qonto's value parses ours.
 */
export function qontoContractTimestamp(date: Date | null): string | null {
  if (date === null) return null;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 23)}000`;
}

export function bankAccountObject(a: BankAccountRow) {
  return {
    id: a.id,
    slug: a.slug,
    iban: a.iban,
    bic: a.bic,
    currency: a.currency,
    balance: a.balance_cents / 100,
    balance_cents: a.balance_cents,
    authorized_balance: a.authorized_balance_cents / 100,
    authorized_balance_cents: a.authorized_balance_cents,
    name: a.name,
    updated_at: a.updated_at.toISOString(),
    status: a.status,
    main: a.main,
    is_external_account: a.is_external_account,
    account_number: a.account_number,
  };
}

/** `GET /v2/organization`: "Retrieve the authenticated organization and list bank accounts". */
export function organizationObject(o: OrganizationRow, accounts: BankAccountRow[]) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    legal_name: o.legal_name,
    locale: o.locale,
    legal_share_capital: o.legal_share_capital,
    legal_country: o.legal_country,
    legal_registration_date: o.legal_registration_date,
    legal_form: o.legal_form,
    legal_address: o.legal_address,
    legal_sector: o.legal_sector,
    contract_signed_at: qontoContractTimestamp(o.contract_signed_at),
    legal_number: o.legal_number,
    bank_accounts: accounts.map(bankAccountObject),
  };
}
