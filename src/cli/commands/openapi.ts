import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { systemClock } from '../../domain/clock.ts';
import { buildApp } from '../../http/app.ts';
import type { Command } from './types.ts';

/** The OpenAPI document generated from the route schemas, as committed in openapi.json. */
export async function generateOpenApi(): Promise<string> {
  // Building the app queries nothing; a pool that is never used connects to nothing. Without the
  // authentication cache, nothing LISTENs either (src/services/auth-cache.ts).
  const engine = await openEngine({ databaseUrl: 'postgres://openapi.invalid/unused' });
  const app = await buildApp({ engine, config: { ...loadConfig({}), authCacheMs: 0 }, clock: systemClock, logger: false });
  await app.ready();
  const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  await engine.close();
  return text;
}

export const openapiCommand: Command = {
  summary: 'print the OpenAPI 3.1 document, or write/check the committed copy',
  usage: 'usage: qcards openapi [--write FILE | --check FILE]\n\n--check exits 1 when FILE differs from the generated document.',
  options: { write: { type: 'string' }, check: { type: 'string' } },
  async run(options) {
    const text = await generateOpenApi();
    if (typeof options.write === 'string') {
      writeFileSync(options.write, text);
      console.log(`wrote ${options.write}`);
      return 0;
    }
    if (typeof options.check === 'string') {
      let committed = '';
      try {
        committed = readFileSync(options.check, 'utf8');
      } catch {
        // a missing file differs like any other
      }
      if (committed !== text) {
        console.error(`${options.check} is out of date: run \`npm run openapi:write\` and commit it`);
        return 1;
      }
      console.log(`${options.check} matches the routes`);
      return 0;
    }
    process.stdout.write(text);
    return 0;
  },
};
