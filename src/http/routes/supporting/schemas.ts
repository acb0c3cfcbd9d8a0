import { Type } from 'typebox';
import { MAX_PAGE } from '../../../domain/page-meta.ts';
import { ErrorBody } from '../../schemas/common.ts';

// Schemas of Qonto's supporting endpoints (memberships, membership, organization): they validate the query,
// document the routes in openapi.json, and fix the key order of the responses.

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** page / per_page as on GET /v2/cards: integers, page ≥ 1, per_page 1..100 (default 100). */
export const PageQuery = Type.Object({
  // The upper bound keeps (page - 1) × per_page inside what SQL's OFFSET takes: a bigger page is a 400, never a 500.
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1, description: 'Page number, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Items per page, 1 to 100' })),
});


const Role = Type.Enum(['owner', 'admin', 'manager', 'employee', 'reporting']);

export const MembershipListItemSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Role,
  residence_country: Type.String(),
  birthdate: Nullable(Type.String({ format: 'date' })),
  nationality: Type.String(),
  ubo: Type.Boolean(),
  birth_country: Type.String(),
  status: Type.String(),
  team_id: Nullable(Type.String({ format: 'uuid' })),
});

export const CurrentMembershipSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.String(),
  phone_number: Type.String(),
  position: Type.String(),
  status: Type.String(),
  role: Role,
  locale: Type.String(),
  team_id: Nullable(Type.String({ format: 'uuid' })),
  kyc_status: Type.String(),
});

export const BankAccountSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  iban: Type.String(),
  bic: Type.String(),
  currency: Type.String(),
  balance: Type.Number({ description: 'Euros' }),
  balance_cents: Type.Integer(),
  authorized_balance: Type.Number({ description: 'Euros' }),
  authorized_balance_cents: Type.Integer(),
  name: Type.String(),
  updated_at: Type.String({ format: 'date-time' }),
  status: Type.String(),
  main: Type.Boolean(),
  is_external_account: Type.Boolean(),
  account_number: Type.String(),
});

export const OrganizationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  legal_name: Type.String(),
  locale: Type.String(),
  legal_share_capital: Type.Number(),
  legal_country: Type.String(),
  legal_registration_date: Nullable(Type.String({ format: 'date' })),
  legal_form: Type.String(),
  legal_address: Type.String(),
  legal_sector: Type.String(),
  contract_signed_at: Nullable(Type.String({ description: 'As Qonto writes it: "2022-12-01 08:57:00.123047" (UTC)' })),
  legal_number: Type.String(),
  bank_accounts: Type.Array(BankAccountSchema),
});

/** Qonto's error body. Open objects, so documenting it never filters what the error handler sends. */

export const AUTH_ERRORS = { 401: ErrorBody, 403: ErrorBody } as const;
export const QONTO_SECURITY: Array<Record<string, string[]>> = [{ OAuth: [] }, { SecretKey: [] }];
