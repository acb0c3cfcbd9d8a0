import { startTestApp } from '/work/wt-list/test/helpers/app.ts';
const { app } = await startTestApp();
const r = await app.inject({ method: 'GET', url: '/v2/cards/' + 'a'.repeat(500), headers: { authorization: 'x:y' } });
console.log(r.statusCode, r.body);
