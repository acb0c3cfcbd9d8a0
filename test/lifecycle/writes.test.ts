import { startTestApp } from '../helpers/app.ts';
import { badInputTests } from './bad-input.cases.ts';
import { cardCacheTests } from './card-cache.cases.ts';
import { createTests } from './create.cases.ts';
import { modelTests } from './model.cases.ts';
import { transitionReplayTests, transitionTests } from './transitions.cases.ts';
import { updateTests } from './updates.cases.ts';
import { writeBatchTests } from './write-batches.cases.ts';

// Card writes on one app: each test file pays ~8 s of engine start, so the groups share one.
const ctx = await startTestApp();
await createTests(ctx);
await transitionTests(ctx);
await transitionReplayTests(ctx);
await updateTests(ctx);
await modelTests(ctx);
await badInputTests(ctx);
await cardCacheTests(ctx);
await writeBatchTests(ctx);
