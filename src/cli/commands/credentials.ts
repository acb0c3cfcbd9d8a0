import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { migrate } from '../../db/migrate.ts';
import { systemClock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/uuid.ts';
import { isScope, SCOPES, type Scope } from '../../domain/scopes.ts';
import { issueCredential, revokeCredential } from '../../services/credentials.ts';
import { credentialExists } from '../../services/operator.ts';
import type { Command } from './types.ts';

const USAGE = [
  'usage: qcards credentials create --membership <id> --kind api_key|access_token [--scopes a,b] [--json]',
  '       qcards credentials revoke <credential id>',
  '',
  `Scopes: ${SCOPES.join(', ')} (default: every scope). The secret is printed once; only its hash is stored.`,
].join('\n');

class UsageError extends Error {}

function parseScopes(value: unknown): Scope[] {
  if (value === undefined) return [...SCOPES];
  const scopes = String(value).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new UsageError(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: choose among ${SCOPES.join(', ')}`);
  if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  return scopes as Scope[];
}

function parseCreate(options: Record<string, unknown>) {
  const membership = options.membership;
  if (typeof membership !== 'string') throw new UsageError('--membership <id> is required');
  if (!isUuid(membership)) throw new UsageError(`--membership must be a membership id (a uuid), got "${membership}"`);
  const kind = options.kind;
  if (kind !== 'api_key' && kind !== 'access_token') throw new UsageError('--kind must be api_key or access_token');
  return { membershipId: membership.toLowerCase(), kind, scopes: parseScopes(options.scopes) } as const;
}

export const credentialsCommand: Command = {
  summary: 'create or revoke an API key or access token for a membership',
  usage: USAGE,
  options: { membership: { type: 'string' }, kind: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
  async run(options, positionals) {
    const [action, ...rest] = positionals;
    let request;
    try {
      if (action === 'create' && rest.length === 0) request = { action, ...parseCreate(options) } as const;
      else if (action === 'revoke' && rest.length === 1) {
        if (!isUuid(rest[0]!)) throw new UsageError(`"${rest[0]}" is not a credential id (a uuid)`);
        request = { action, id: rest[0]!.toLowerCase() } as const;
      } else throw new UsageError(action ? `unexpected arguments: ${positionals.join(' ')}` : 'create or revoke?');
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      console.error(`qcards credentials: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const config = loadConfig();
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(engine.db);
      if (request.action === 'create') {
        try {
          const { membershipId, kind, scopes } = request;
          const credential = await issueCredential(engine.db, { membershipId, kind, scopes });
          console.log(options.json ? JSON.stringify(credential) : [
            `created ${credential.kind} ${credential.id} for membership ${credential.membership_id}`,
            `scopes: ${credential.scopes.join(', ')}`,
            `Authorization: ${credential.authorization}`,
            '(the secret is shown only this once)',
          ].join('\n'));
          return 0;
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) {
            console.error(`qcards credentials: no membership ${request.membershipId}`);
            return 1;
          }
          throw error;
        }
      }
      if (!(await credentialExists(engine.db, request.id))) {
        console.error(`qcards credentials: no credential ${request.id}`);
        return 1;
      }
      const revoked = await revokeCredential(engine.db, systemClock, request.id);
      console.log(revoked ? `revoked credential ${request.id}` : `credential ${request.id} was already revoked`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
