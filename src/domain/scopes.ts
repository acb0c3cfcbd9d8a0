// OAuth scopes qcards knows (Qonto's names). Credentials carry any subset.
export const SCOPES = ['card.read', 'card.write', 'webhook', 'organization.read', 'membership.read'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);
