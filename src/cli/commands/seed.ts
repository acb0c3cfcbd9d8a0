import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { migrate } from '../../db/migrate.ts';
import { systemClock } from '../../domain/clock.ts';
import { seedDemoOrganization, type DemoSeedResult } from '../../services/demo-seed.ts';
import type { Command } from './types.ts';

export function describeDemo(demo: DemoSeedResult): string {
  const width = Math.max(...demo.memberships.map((m) => m.role.length));
  return [
    `demo organization ${demo.organization_id}`,
    '',
    `  owner API key        Authorization: ${demo.api_key}`,
    `  owner access token   Authorization: Bearer ${demo.access_token}`,
    `  employee token       Authorization: Bearer ${demo.employee_access_token}  (membership ${demo.employee_membership_id})`,
    '',
    'memberships:',
    ...demo.memberships.map((m) => `  ${m.role.padEnd(width)}  ${m.id}  ${m.first_name} ${m.last_name}`),
    '',
    'Every credential carries every scope. Secrets are stored hashed: this is the only time they are shown.',
  ].join('\n');
}

export const seedCommand: Command = {
  summary: 'create the demo organization (150 cards, every role) and print its credentials',
  usage: [
    'usage: qcards seed [--json]',
    '',
    'Creates one more demo organization in DATABASE_URL, or the embedded database in QCARDS_DATA_DIR, and prints',
    'its credentials once. --json prints exactly one JSON object: organization_id, api_key ("login:secret"),',
    'access_token, employee_access_token, employee_membership_id, memberships [{id, role, first_name, last_name}].',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(options) {
    const config = loadConfig();
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(engine.db);
      const demo = await seedDemoOrganization(engine.db, systemClock);
      console.log(options.json ? JSON.stringify(demo) : describeDemo(demo));
    } finally {
      await engine.close();
    }
    return 0;
  },
};
