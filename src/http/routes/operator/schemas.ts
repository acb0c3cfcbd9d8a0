import { Type } from 'typebox';
import { MAX_PAGE } from '../../../domain/page-meta.ts';
import { SCOPES } from '../../../domain/scopes.ts';
import { ErrorBody } from '../../schemas/common.ts';

// Schemas of qcards' operator API: bodies reject unknown fields (additionalProperties: false), responses
// document every key in openapi.json.

export const OPERATOR_BASE = '/qcards/operator/v1';
export const OPERATOR_DOC = { tags: ['operator'], security: [{ Operator: [] as string[] }] };
export const OPERATOR_ERRORS = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;
export const WRITE_ERRORS = { 400: ErrorBody, 422: ErrorBody, ...OPERATOR_ERRORS } as const;

const Closed = { additionalProperties: false } as const;
const NullableString = (options: Parameters<typeof Type.String>[0] = {}) => Type.Union([Type.String(options), Type.Null()]);
const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

export const Role = Type.Enum(['owner', 'admin', 'manager', 'employee', 'reporting']);
export const ScopeList = Type.Array(Type.Enum([...SCOPES]), { uniqueItems: true, description: 'Default: every scope' });

export const CredentialRequestSchema = Type.Object(
  {
    kind: Type.Enum(['api_key', 'access_token'], { description: 'api_key: "Authorization: <login>:<secret>"; access_token: "Authorization: Bearer <token>"' }),
    scopes: Type.Optional(ScopeList),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  Closed,
);

const personFields = {
  first_name: Name('First name'),
  last_name: Name('Last name'),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
  phone_number: Type.Optional(Type.String({ maxLength: 40 })),
  position: Type.Optional(Type.String({ maxLength: 200 })),
  locale: Type.Optional(Type.String({ minLength: 2, maxLength: 10 })),
  residence_country: Type.Optional(Country),
  nationality: Type.Optional(Country),
  birth_country: Type.Optional(Country),
  birthdate: Type.Optional(NullableString({ format: 'date' })),
  ubo: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Default "active"' })),
  credential: Type.Optional(CredentialRequestSchema),
};

export const MembershipBody = Type.Object(
  { ...personFields, role: Role, team_id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])) },
  Closed,
);

export const BankAccountBody = Type.Object(
  {
    name: Name('Account name'),
    main: Type.Optional(Type.Boolean({ description: 'Makes it the main account (the previous main account loses the flag)' })),
    balance_cents: Type.Optional(Type.Integer({ minimum: -1e15, maximum: 1e15 })),
    authorized_balance_cents: Type.Optional(Type.Integer({ minimum: -1e15, maximum: 1e15, description: 'Default: balance_cents' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Default "active"' })),
    is_external_account: Type.Optional(Type.Boolean()),
  },
  Closed,
);

export const OrganizationBody = Type.Object(
  {
    name: Name('Organization name'),
    slug: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Default: from the name plus four digits' })),
    legal_name: Type.Optional(Name('Default: the name')),
    legal_number: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    legal_country: Type.Optional(Country),
    legal_form: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    legal_share_capital: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    legal_sector: Type.Optional(Type.String({ maxLength: 40 })),
    legal_registration_date: Type.Optional(NullableString({ format: 'date' })),
    legal_address: Type.Optional(Type.String({ maxLength: 500 })),
    locale: Type.Optional(Type.String({ minLength: 2, maxLength: 10 })),
    owner: Type.Optional(Type.Object(personFields, { ...Closed, description: 'Creates an owner membership' })),
    bank_account: Type.Optional(BankAccountBody),
  },
  Closed,
);

export const TeamBody = Type.Object({ name: Name('Team name') }, Closed);

export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
});

// Responses.

const Timestamp = Type.String({ format: 'date-time' });

export const TeamSchema = Type.Object({ id: Type.String(), organization_id: Type.String(), name: Type.String(), created_at: Timestamp });

export const MembershipSchema = Type.Object({
  id: Type.String(), organization_id: Type.String(), first_name: Type.String(), last_name: Type.String(),
  email: Type.String(), role: Role, team_id: NullableString(), status: Type.String(), phone_number: Type.String(),
  position: Type.String(), locale: Type.String(), residence_country: Type.String(), nationality: Type.String(),
  birth_country: Type.String(), birthdate: NullableString(), ubo: Type.Boolean(), kyc_status: Type.String(),
  created_at: Timestamp,
});

export const BankAccountSchema = Type.Object({
  id: Type.String(), organization_id: Type.String(), name: Type.String(), slug: Type.String(), iban: Type.String(),
  bic: Type.String(), currency: Type.String(), balance_cents: Type.Integer(), authorized_balance_cents: Type.Integer(),
  status: Type.String(), main: Type.Boolean(), is_external_account: Type.Boolean(), account_number: Type.String(),
  created_at: Timestamp,
});

export const CredentialSchema = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['api_key', 'access_token']),
  membership_id: Type.String(),
  organization_id: Type.String(),
  scopes: Type.Array(Type.String()),
  login: NullableString({ description: 'API keys only' }),
  secret: Type.String({ description: 'Shown once: only its SHA-256 is stored' }),
  authorization: Type.String({ description: 'The exact Authorization header value to send' }),
});

export const OrganizationSummarySchema = Type.Object({
  id: Type.String(), name: Type.String(), slug: Type.String(), legal_name: Type.String(), created_at: Timestamp,
});

export const OrganizationDetailSchema = Type.Object({
  id: Type.String(), name: Type.String(), slug: Type.String(), legal_name: Type.String(), legal_number: Type.String(),
  legal_country: Type.String(), legal_form: Type.String(), legal_share_capital: Type.Number(), legal_sector: Type.String(),
  legal_registration_date: NullableString(), legal_address: Type.String(), locale: Type.String(),
  contract_signed_at: NullableString(), created_at: Timestamp,
  teams: Type.Array(TeamSchema), memberships: Type.Array(MembershipSchema), bank_accounts: Type.Array(BankAccountSchema),
  card_count: Type.Integer(),
});

export const NullableCredential = Type.Union([CredentialSchema, Type.Null()]);
