import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Engine } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { seedDemoOrganization, type DemoSeedResult } from '../services/demo-seed.ts';

// `qcards serve --demo` (what `npm start` runs): seeds the demo organization into an empty database and
// prints ready-to-paste curl commands. Secrets are stored hashed, so on the embedded engine the credentials
// the first start printed are kept in the data folder (mode 600) for later starts to print again; on
// PostgreSQL (a shared server) they are never written to disk.

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';
export const OPERATOR_TOKEN_FILE = 'operator-token';

export interface DemoSetup {
  config: Config;
  /** The text to print once the server listens. */
  banner(baseUrl: string): string;
}

function writeSecret(dataDir: string, name: string, text: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, name), text, { mode: 0o600 });
}

/** The operator token: the configured one, or one generated on the first demo start and kept in the data folder. */
function operatorToken(config: Config): { token: string; generated: boolean } {
  if (config.operatorToken) return { token: config.operatorToken, generated: false };
  const path = join(config.dataDir, OPERATOR_TOKEN_FILE);
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), generated: true };
  const token = `qop_${randomBytes(24).toString('base64url')}`;
  writeSecret(config.dataDir, OPERATOR_TOKEN_FILE, `${token}\n`);
  return { token, generated: true };
}

async function demoCredentials(engine: Engine, config: Config, clock: Clock): Promise<{ demo: DemoSeedResult | null; seeded: boolean }> {
  const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM organizations) AS any`.execute(engine.db);
  if (!rows[0]?.any) {
    const demo = await seedDemoOrganization(engine.db, clock);
    if (engine.kind === 'pglite') writeSecret(config.dataDir, DEMO_CREDENTIALS_FILE, `${JSON.stringify(demo, null, 2)}\n`);
    return { demo, seeded: true };
  }
  const path = join(config.dataDir, DEMO_CREDENTIALS_FILE);
  if (engine.kind !== 'pglite' || !existsSync(path)) return { demo: null, seeded: false };
  const demo = JSON.parse(readFileSync(path, 'utf8')) as DemoSeedResult;
  const org = await engine.db.selectFrom('organizations').select('id').where('id', '=', demo.organization_id).executeTakeFirst();
  return { demo: org ? demo : null, seeded: false };
}

export async function prepareDemo(engine: Engine, config: Config, clock: Clock): Promise<DemoSetup> {
  const operator = operatorToken(config);
  const { demo, seeded } = await demoCredentials(engine, config, clock);
  const card = demo
    ? await engine.db
      .selectFrom('cards')
      .select('id')
      .where('organization_id', '=', demo.organization_id)
      .where('holder_id', '=', demo.employee_membership_id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst()
    : undefined;
  return {
    config: { ...config, operatorToken: operator.token },
    banner: (baseUrl) => {
      const lines = [''];
      const opHeader = operator.generated ? `Bearer ${operator.token}` : 'Bearer $QCARDS_OPERATOR_TOKEN';
      if (demo) {
        const owner = `-H 'Authorization: Bearer ${demo.access_token}'`;
        lines.push(
          seeded ? 'Seeded the demo organization "Atelier Lumière" (150 cards, every role).' : 'Demo organization "Atelier Lumière":',
          `  organization ${demo.organization_id}`,
          `  owner API key:         ${demo.api_key}`,
          `  owner access token:    ${demo.access_token}`,
          `  employee access token: ${demo.employee_access_token} (membership ${demo.employee_membership_id})`,
          ...(engine.kind === 'pglite'
            ? [`  (kept in ${join(config.dataDir, DEMO_CREDENTIALS_FILE)} so later starts show them again)`]
            : ['  (shown once: they are stored hashed and not written to disk on PostgreSQL)']),
          '',
          'Try:',
          `  curl -s '${baseUrl}/v2/cards?per_page=5' ${owner}`,
          `  curl -s '${baseUrl}/v2/cards?query=petit' ${owner}`,
          `  curl -sg '${baseUrl}/v2/cards?statuses[]=live&card_levels[]=virtual&sort_by=created_at:desc' ${owner}`,
          ...(card ? [`  curl -s '${baseUrl}/v2/cards/${card.id}' ${owner}`] : []),
          `  curl -s '${baseUrl}/v2/memberships' -H 'Authorization: ${demo.api_key}'`,
          `  curl -s '${baseUrl}/v2/cards' -H 'Authorization: Bearer ${demo.employee_access_token}'   # what the employee sees`,
        );
      } else {
        lines.push(
          'This database already holds data; its credentials are stored hashed and cannot be shown again.',
          'Create a credential:      qcards credentials create --membership <membership id> --kind access_token',
          'or a new demo org:        qcards seed',
          `Membership ids:           curl -s '${baseUrl}/qcards/operator/v1/organizations' -H 'Authorization: ${opHeader}'`,
        );
      }
      lines.push(
        '',
        operator.generated
          ? `Operator API (token kept in ${join(config.dataDir, OPERATOR_TOKEN_FILE)}; set QCARDS_OPERATOR_TOKEN to choose it):`
          : 'Operator API (token from QCARDS_OPERATOR_TOKEN):',
        `  curl -s -X POST '${baseUrl}/qcards/operator/v1/organizations' -H 'Authorization: ${opHeader}' \\`,
        `    -H 'Content-Type: application/json' -d '{"name":"Acme","owner":{"first_name":"Ada","last_name":"Lovelace","credential":{"kind":"access_token"}}}'`,
        '',
        `API reference: ${baseUrl}/docs`,
        '',
      );
      return lines.join('\n');
    },
  };
}
