// Builds the migrated PGlite template the test processes start from (see test/helpers/engine.ts).
import { ensurePGliteTemplate } from '../test/helpers/engine.ts';

console.log(await ensurePGliteTemplate());
