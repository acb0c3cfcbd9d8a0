import { after } from 'node:test';
import { loadConfig, type Config } from '../../src/config.ts';
import { OffsetClock, type Clock } from '../../src/domain/clock.ts';
import { buildApp, type App, type AppDeps } from '../../src/http/app.ts';
import { openTestEngine } from './engine.ts';

export interface TestContext {
  app: App;
  deps: AppDeps;
  clock: OffsetClock;
}

/**
 * The real application on the test engine, one per test file (each file is its own process). Tests isolate
 * themselves by creating their own organization, which also exercises organization scoping. Closed after
 * the file's tests.
 */
export async function startTestApp(overrides: Partial<Config> = {}, clock: Clock = new OffsetClock()): Promise<TestContext> {
  const testEngine = await openTestEngine();
  const config: Config = {
    ...loadConfig({}),
    operatorToken: 'test-operator-token',
    embeddedWorker: false,
    ...overrides,
  };
  const deps: AppDeps = { engine: testEngine.engine, config, clock, logger: false };
  const app = await buildApp(deps);
  await app.ready();
  after(async () => {
    await app.close();
    await testEngine.close();
  });
  return { app, deps, clock: clock as OffsetClock };
}
