// The benchmark's receiver, in its own thread so that it does not share an event loop with the worker it
// measures. Each subscription gets its own port (its own origin, as distinct receivers would be). Healthy
// ports answer 200 at once and report (card id, arrival time) to the main thread every 20 ms; "hanging" ports
// never answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const { healthy, hanging } = workerData as { healthy: number; hanging: number };
const now = () => performance.timeOrigin + performance.now();
let arrivals: Array<[string, number]> = [];
let count = 0;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const ports: number[] = [];
for (let i = 0; i < healthy; i++) {
  ports.push(await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      count++;
      const body = Buffer.concat(chunks).toString('utf8');
      // The card id sits at a fixed place in `data`: cheaper than JSON.parse on the receiving side.
      const m = /"data":\{"event":"[a-z_]+","id":"([0-9a-f-]{36})"/.exec(body);
      if (m) arrivals.push([m[1]!, at]);
    });
  }));
}
const hangingPorts: number[] = [];
for (let i = 0; i < hanging; i++) hangingPorts.push(await listen((req) => req.resume()));

setInterval(() => {
  if (arrivals.length === 0) return;
  parentPort!.postMessage({ type: 'arrivals', arrivals, count });
  arrivals = [];
}, 20).unref();
parentPort!.on('message', (m: { type: string }) => {
  if (m.type === 'count') parentPort!.postMessage({ type: 'count', count });
});
parentPort!.postMessage({ type: 'ready', ports, hangingPorts });
// Keep the thread alive until terminated.
setInterval(() => {}, 1 << 30);
