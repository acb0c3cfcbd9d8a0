// The benchmark's receiver (plain JavaScript: worker threads do not go through tsx on Node 20), in its own thread so that it does not share an event loop with the worker it
// measures. Each subscription gets its own port (its own origin, as distinct receivers would be). Healthy
// ports answer 200 at once and report (card id, arrival time) to the main thread every 20 ms; "hanging" ports
// never answer; "quiet" ports answer 200 at once and report nothing (a third subscriber that is not measured).
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { healthy, hanging, quiet } = workerData;
const now = () => performance.timeOrigin + performance.now();
let arrivals = [];
let count = 0;

async function listen(handler) {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const ports = [];
for (let i = 0; i < healthy; i++) {
  ports.push(await listen((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      const body = Buffer.concat(chunks).toString('utf8');
      // The card id sits at a fixed place in `data`: cheaper than JSON.parse on the receiving side.
      const m = /"data":\{"event":"[a-z_]+","id":"([0-9a-f-]{36})"/.exec(body);
      // Only deliveries count; the ceiling's bare POSTs carry no card id.
      if (m) {
        count++;
        arrivals.push([m[1], at]);
      }
    });
  }));
}
const hangingPorts = [];
for (let i = 0; i < hanging; i++) hangingPorts.push(await listen((req) => req.resume()));
const quietPorts = [];
for (let i = 0; i < quiet; i++) {
  quietPorts.push(await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  }));
}

setInterval(() => {
  if (arrivals.length === 0) return;
  parentPort.postMessage({ type: 'arrivals', arrivals, count });
  arrivals = [];
}, 20).unref();
// This thread's event-loop delays: a stall here delays the arrival times it records, as a stall of the sender would.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
parentPort.on('message', (m) => {
  // The longest delay since the last ask (ms).
  if (m.type === 'loop') {
    parentPort.postMessage({ type: 'loop', max: loopDelay.max / 1e6 });
    loopDelay.reset();
  }
});
parentPort.postMessage({ type: 'ready', ports, hangingPorts, quietPorts });
// Keep the thread alive until terminated.
setInterval(() => {}, 1 << 30);
