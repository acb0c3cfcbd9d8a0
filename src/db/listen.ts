import type pg from 'pg';
import type { Engine } from './engine.ts';
import { loggableError } from './loggable-error.ts';

export interface ListenHandlers {
  /** A notification arrived on the channel. */
  notify(): void;
  /** LISTEN is in place: from now on every notification reaches `notify`. */
  up?(): void;
  /** The listening connection was lost: notifications may be missed until `up` is called again. */
  down?(): void;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * LISTEN on `channel` for as long as the returned function is not called. On PostgreSQL on a connection of its
 * own, outside the pool (a pool of one or two would otherwise have none left for queries), re-opened `retryMs`
 * after it fails or drops; on PGlite, whose one session serves the whole
 * process, through its own listener (which cannot drop). `channel` is one of qcards' constant channel names.
 */
export async function listen(engine: Engine, channel: string, handlers: ListenHandlers, options: { retryMs: number; log: Logger }): Promise<() => Promise<void>> {
  const { newClient, pglite } = engine;
  if (pglite) {
    const unlisten = await pglite.listen(channel, () => handlers.notify());
    handlers.up?.();
    return async () => {
      handlers.down?.();
      await unlisten().catch(() => {});
    };
  }
  if (!newClient) return async () => {};
  /** Closes the current listening connection, if there is one. */
  let closeCurrent: (() => Promise<void>) | undefined;
  let stopped = false;
  const connect = async () => {
    if (stopped) return;
    let c: pg.Client | undefined;
    let released = false;
    // Closing the connection ends its LISTEN. At most once, whoever gets here first.
    const close = async (): Promise<void> => {
      if (closeCurrent === close) closeCurrent = undefined;
      if (c && !released) {
        released = true;
        await c.end().catch(() => {});
      }
    };
    closeCurrent = close;
    let lost = false;
    // Once per connection, whether the LISTEN failed or a working connection dropped later.
    const lose = (error: unknown) => {
      if (lost) return;
      lost = true;
      void close();
      if (stopped) return;
      options.log.warn({ err: loggableError(error) }, `LISTEN ${channel} lost: trying again in ${options.retryMs} ms`);
      handlers.down?.();
      setTimeout(() => void connect(), options.retryMs).unref();
    };
    try {
      c = newClient();
      c.on('notification', (message) => {
        if (message.channel === channel) handlers.notify();
      });
      c.on('error', lose);
      await c.connect();
      if (stopped) return close();
      await c.query(`LISTEN ${channel}`);
      if (lost) return;
      if (stopped) return close();
      handlers.up?.();
    } catch (error) {
      lose(error);
    }
  };
  await connect();
  return async () => {
    stopped = true;
    handlers.down?.();
    await closeCurrent?.();
  };
}
