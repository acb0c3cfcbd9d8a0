import { startTestApp } from '../helpers/app.ts';
import { dataViewTests } from './data-view.cases.ts';
import { sandboxTests } from './sandbox.cases.ts';
import { scaTests } from './sca.cases.ts';

// SCA, data_view and the sandbox on one app. The sandbox goes last: it moves the clock years ahead.
const ctx = await startTestApp();
await scaTests(ctx);
await dataViewTests(ctx);
await sandboxTests(ctx);
