import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import type { Db } from '../../src/db/engine.ts';
import type { CardEventName } from '../../src/db/schema.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { wakeWorkers } from '../../src/webhooks/wake.ts';

/** Records a card event the way card writes do: inside a transaction, waking the workers after the commit. */
export async function emitCardEvent(db: Db, card: CardRecord, event: CardEventName, at: Date, actor: string | null = null): Promise<string> {
  const { id, queued } = await inTransaction(db, (trx) => recordCardEvent(trx, { card, event, actorMembershipId: actor, at }));
  if (queued > 0) wakeWorkers(db);
  return id;
}

/**
 * Deliveries as the log has them, with their queue row's due time and attempt count while pending (null once
 * delivered or failed), oldest first.
 */
export function deliveriesWhere(db: Db, column: 'subscription_id' | 'organization_id' | 'id', value: string) {
  return db.selectFrom('webhook_deliveries as d')
    .leftJoin('webhook_queue as q', 'q.delivery_id', 'd.id')
    .selectAll('d')
    .select(['q.next_attempt_at', 'q.attempts'])
    .where(`d.${column}`, '=', value)
    .orderBy('d.created_at').orderBy('d.id')
    .execute();
}

/** Marks the subscriptions' pending deliveries failed, as the worker would (out of the queue, failed in the log). */
export async function failPending(db: Db, subscriptionIds: string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('webhook_queue').where('subscription_id', 'in', subscriptionIds).execute();
    await trx.updateTable('webhook_deliveries').set({ status: 'failed' })
      .where('subscription_id', 'in', subscriptionIds).where('status', '=', 'pending').execute();
  });
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /**
   * Requests open at the receiver when this one arrived, itself included (the sender's concurrency; a request the
   * sender just gave up on may still count).
   */
  concurrent: number;
  /** When it arrived (performance.now()). */
  at: number;
}

export type Responder = (req: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string; hang?: boolean };

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Changes how the next requests are answered. */
  respond(responder: Responder): void;
  /** Answers every request held by `hang`, with 200 unless told. */
  release(status?: number): void;
  close(): Promise<void>;
}

/** A local webhook receiver that records every request; answers 200 unless told otherwise. */
export async function startReceiver(responder: Responder = () => ({ status: 200 })): Promise<Receiver> {
  let current = responder;
  const received: ReceivedRequest[] = [];
  const held: Array<(status: number) => void> = [];
  let open = 0;
  const server: Server = createServer((req, res) => {
    open++;
    // Answered, or given up by the sender (a timeout closes its connection).
    res.once('close', () => open--);
    const concurrent = open;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/', concurrent, at: performance.now() };
      received.push(entry);
      const answer = current(entry);
      if (answer.hang) {
        held.push((status) => {
          res.writeHead(status);
          res.end();
        });
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  after(close);
  return { url: `http://127.0.0.1:${port}/hook`, received, respond: (r) => (current = r), release: (status = 200) => held.splice(0).forEach((f) => f(status)), close };
}
