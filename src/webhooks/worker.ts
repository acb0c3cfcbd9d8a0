import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import type { Engine } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { listen } from '../db/listen.ts';
import { loggableError } from '../db/loggable-error.ts';
import { deliverOnce, type Attempt } from './deliver.ts';
import {
  claimDue, nextDueAt, outboxNeedsOwnVacuum, queueRows, recordAttempts, releaseLeased, removeExpired, vacuumLog, vacuumQueue,
  type AttemptResult, type ClaimedDelivery, type QueuedDelivery,
} from './delivery-store.ts';
import { registerLocalWorker, type HandoffTerms, type LocalWorker } from './handoff.ts';
import { createSafeAgent } from './safe-agent.ts';
import { NOTIFY_CHANNEL, wakeWorkers } from './wake.ts';


export interface WorkerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerOptions {
  /** Deliveries in flight (or waiting their turn) in this worker at most. */
  maxInFlight?: number;
  /**
   * Concurrent POSTs to one subscription at most: a hanging receiver holds this many slots, no more. It also
   * bounds what one subscriber can take: slots ÷ round trip, where the round trip includes this process's own
   * event-loop turn. At 1,000 events/s to one receiver, 16 slots fell behind whenever a busy turn (a process
   * warming up) pushed round trips past 16 ms, and the backlog then went through claims (BENCHMARKS.md, tenth
   * session); 32 did not.
   */
  perSubscription?: number;
  /** Rows claimed per statement. */
  batchSize?: number;
  /** Polling interval: a backstop, since `wakeWorkers` (LISTEN/NOTIFY) wakes the worker when deliveries are queued due. */
  pollMs?: number;
  retentionEveryMs?: number;
  /**
   * Where nothing else vacuums the outbox (PGlite, autovacuum off), vacuum the queue after this many recorded
   * attempts (a claimed one left two dead row versions, the claim's and the result's; a handed-over one only the
   * result's), or after 5% of its rows if more. The queue holds only pending deliveries, so a vacuum reads a few
   * pages; kept that small, a sequential scan of it (which the planner still picks for a small table) stays
   * cheap. The log is vacuumed after retention removes rows from it.
   */
  vacuumEveryAttempts?: number;
  dispatcher?: Dispatcher;
  logger?: WorkerLogger;
}

interface SubscriptionLane {
  active: number;
  queue: ClaimedDelivery[];
  /**
   * Concurrent POSTs the subscription may have now, up to `perSubscription`: one in a new lane, one more for
   * each answer (so twice as many each round trip), halved by each attempt that times out, down to one. A dead
   * receiver then costs one request per timeout instead of 32 timing out together, whose burst (32 aborted
   * requests and 32 new connections at once) held up the healthy subscribers' deliveries behind it.
   */
  slots: number;
  /** Its last attempt timed out: writes do not hand it deliveries (they wait in the outbox for claims). */
  timingOut: boolean;
  /** When it last had nothing to send or hold (performance.now()); idle lanes are forgotten after IDLE_LANE_MS. */
  idleSince: number | undefined;
  /**
   * Rows of the subscription wait in the outbox because of this lane (claims or writes left it out, or it gave
   * rows back): claim once it has room again.
   */
  leftOut: boolean;
}

const silent: WorkerLogger = { info() {}, warn() {}, error() {} };

/** Deliveries this worker took so far, by how they came. */
export interface WorkerCounts {
  /** Taken by its claims. */
  claimed: number;
  /** Claim statements run (whether or not they found rows). */
  claims: number;
  /** Handed over by writes of this process (./handoff.ts). */
  handedOver: number;
}

/** How long a finished delivery's result waits for others to share its record statement. */
const RECORD_WAIT_MS = 5;

/**
 * How long a lane (with its slots) outlives its last delivery, at least (idle lanes are swept this often): a
 * subscriber with steady traffic keeps its slots between deliveries rather than start again from one.
 */
const IDLE_LANE_MS = 10_000;

/** A new lane's slots (SubscriptionLane.slots). */
const NEW_LANE_SLOTS = 1;

/** Rows a lane may hold (sending or waiting their turn) per slot: claims and handoffs leave it out beyond. */
const ROWS_PER_SLOT = 4;

/**
 * Delivers the outbox. Claims due rows (delivery-store.ts) and takes those that writes of its own process hand
 * over (./handoff.ts), POSTs them with bounded concurrency per subscription, and records results in batches:
 * whatever finished within RECORD_WAIT_MS of the first, or while the previous batch was being written, goes in
 * one statement, which keeps a round trip per batch rather than per delivery. Vacuums the outbox where nothing
 * else does.
 */
export class WebhookWorker implements LocalWorker {
  readonly #engine: Engine;
  readonly #config: Config;
  readonly #clock: Clock;
  readonly #maxInFlight: number;
  readonly #perSubscription: number;
  /** What a claim takes of a subscription this worker holds no lane for: a new lane's room. */
  readonly #newLaneShare: number;
  readonly #batchSize: number;
  readonly #pollMs: number;
  readonly #retentionEveryMs: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #dispatcherClosed = false;
  readonly #log: WorkerLogger;
  readonly #lanes = new Map<string, SubscriptionLane>();
  #inFlight = 0;
  /** The last claim left out subscriptions whose lanes were full. */
  #leftOutLanes = false;
  #pending: AttemptResult[] = [];
  #flushing: Promise<void> | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #idle: Array<() => void> = [];
  #progress: Array<() => void> = [];
  #stopListening: (() => Promise<void>) | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  #laneSweepTimer: NodeJS.Timeout | undefined;
  readonly #vacuumEveryAttempts: number;
  /** Set by start(): nothing else vacuums the outbox. */
  #vacuumsOutbox = false;
  #attemptsSinceVacuum = 0;
  #vacuumThreshold: number;
  #vacuuming: Promise<void> | undefined;
  #unregister: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  /** Handed-over deliveries being given back; stop() waits for them. */
  readonly #releases = new Set<Promise<void>>();
  readonly #counts: WorkerCounts = { claimed: 0, claims: 0, handedOver: 0 };

  constructor(deps: { engine: Engine; config: Config; clock: Clock }, options: WorkerOptions = {}) {
    this.#engine = deps.engine;
    this.#config = deps.config;
    this.#clock = deps.clock;
    this.#maxInFlight = options.maxInFlight ?? 512;
    this.#perSubscription = options.perSubscription ?? 32;
    this.#newLaneShare = Math.min(this.#perSubscription, NEW_LANE_SLOTS * ROWS_PER_SLOT);
    this.#batchSize = options.batchSize ?? 256;
    this.#pollMs = options.pollMs ?? (deps.engine.kind === 'pglite' ? 250 : 1000);
    this.#retentionEveryMs = options.retentionEveryMs ?? 3_600_000;
    this.#vacuumEveryAttempts = options.vacuumEveryAttempts ?? 1_000;
    this.#vacuumThreshold = this.#vacuumEveryAttempts;
    this.#log = options.logger ?? silent;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createSafeAgent({
      policy: { allowLoopback: deps.config.webhookAllowLoopback, allowList: deps.config.webhookAllowList },
      connectionsPerOrigin: this.#perSubscription,
      connectTimeoutMs: deps.config.webhookTimeoutMs,
    });
  }

  /** Starts the loop, LISTEN (PostgreSQL) and the retention job. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#vacuumsOutbox = await outboxNeedsOwnVacuum(this.#engine).catch(() => false);
    const stopListening = await this.#listen();
    // stop() may have been called while starting: then it found nothing to stop, so undo what was started.
    if (!this.#running) return stopListening();
    this.#stopListening = stopListening;
    this.#unregister = registerLocalWorker(this.#engine.db, this);
    this.#loop = this.#run();
    const retention = () => void this.#removeExpiredAndVacuum().catch((error) => this.#log.error({ err: loggableError(error) }, 'webhook retention failed'));
    this.#laneSweepTimer = setInterval(() => this.#forgetIdleLanes(), IDLE_LANE_MS);
    this.#laneSweepTimer.unref();
    this.#retentionTimer = setInterval(retention, this.#retentionEveryMs);
    this.#retentionTimer.unref();
    retention();
  }

  /** Stops claiming, lets in-flight deliveries finish and records them. Calls after the first wait for it. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (this.#running) {
      this.#running = false;
      this.#unregister?.();
      clearInterval(this.#retentionTimer);
      clearInterval(this.#laneSweepTimer);
      this.wake();
      await this.#loop;
    }
    await this.#drainInFlight();
    await this.#vacuuming;
    await Promise.all(this.#releases);
    const stopListening = this.#stopListening;
    this.#stopListening = undefined;
    await stopListening?.();
    if (this.#ownsDispatcher && !this.#dispatcherClosed) {
      this.#dispatcherClosed = true;
      await this.#dispatcher.close();
    }
  }

  get counts(): Readonly<WorkerCounts> {
    return { ...this.#counts };
  }

  /** Deliveries taken and not done with yet: being sent, waiting their turn, or their result being recorded. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * For writes of this process about to queue deliveries: take them, leased as a claim would, unless stopped
   * or full; a subscription whose lane is full, or whose receiver times out, is left to claims.
   */
  handoffTerms(): HandoffTerms | undefined {
    if (!this.#running || this.#inFlight >= this.#maxInFlight) return undefined;
    return { leaseUntil: new Date(this.#clock.now().getTime() + this.#leaseMs), skip: this.#handoffSkips() };
  }

  /** Deliveries queued under `handoffTerms`, their write committed: sent as if claimed. */
  accept(deliveries: QueuedDelivery[], terms: HandoffTerms, queuedDue: number): void {
    if (deliveries.length > 0 && !this.#running) {
      // Stopped while the write was on its way: give them back rather than leave them to wait out the lease.
      this.#giveBack({ rows: deliveries.map((d) => ({ id: d.id, leaseUntil: terms.leaseUntil })) });
      return;
    }
    this.#counts.handedOver += deliveries.length;
    for (const delivery of deliveries) this.#dispatch({ ...delivery, leaseUntil: terms.leaseUntil });
    if (queuedDue === 0) return;
    // Rows queued due for the lanes the write skipped: claim them once those have room. If one has room now, the
    // claim its last delivery triggered may have run before they were committed: claim now. Not while a
    // receiver times out and has a request out: a claim per write for it (every write queues it a row) slowed
    // every healthy delivery; that request's timeout claims them.
    const skipped = terms.skip.map((id) => this.#lanes.get(id)).filter((lane) => lane !== undefined);
    for (const lane of skipped) lane.leftOut = true;
    if (skipped.some((lane) => !this.#atCap(lane) && (!lane.timingOut || lane.active === 0))) this.wake();
  }

  abandon(eventIds: string[], terms: HandoffTerms): void {
    this.#giveBack({ eventIds, leaseUntil: terms.leaseUntil });
  }

  /** Gives back leased rows, then (by default) tells every worker that they are due. */
  #giveBack(which: Parameters<typeof releaseLeased>[2], then = () => wakeWorkers(this.#engine.db)): void {
    const release = releaseLeased(this.#engine.db, this.#clock.now(), which)
      .then(then)
      .catch((error) => this.#log.warn({ err: loggableError(error) }, 'giving back leased webhook deliveries failed; they are sent once their lease runs out'))
      .finally(() => this.#releases.delete(release));
    this.#releases.add(release);
  }

  /** Claim again now (a NOTIFY arrived, or a lane freed). Remembered if the loop is busy claiming. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake) wake();
    else this.#woken = true;
  }

  /**
   * Delivers everything due now, waits for every result to be recorded and returns how many attempts were
   * made. For tests (with a moving clock) and the CLI; not to be mixed with a started loop.
   */
  async runOnce(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const { claimed } = await this.#claim();
      attempts += claimed;
      if (claimed > 0) continue;
      // Rows on their way back to the outbox are due once there.
      if (this.#releases.size > 0) {
        await Promise.all(this.#releases);
        continue;
      }
      // Done when nothing is in flight, unless the claim left out full lanes: everything may have finished
      // while it ran, and their subscriptions' rows are still due.
      if (this.#inFlight === 0 && !this.#leftOutLanes) break;
      if (this.#inFlight === 0) continue;
      // Full lanes: claim again once something finishes.
      await new Promise<void>((resolve) => this.#progress.push(resolve));
    }
    await this.#drainInFlight();
    return attempts;
  }

  removeExpired(): Promise<number> {
    return removeExpired(this.#engine.db, this.#clock.now(), this.#config.retentionDays);
  }

  /** Retention's run: the removal, then, if it removed rows and nothing else vacuums, a vacuum of those tables. */
  async #removeExpiredAndVacuum(): Promise<void> {
    const removed = await this.removeExpired();
    if (removed > 0 && this.#vacuumsOutbox) await vacuumLog(this.#engine.db);
  }

  /** A lease always outlasts a few tries' timeouts, whatever the configuration says. */
  get #leaseMs(): number {
    return Math.max(this.#config.webhookLeaseMs, 3 * this.#config.webhookTimeoutMs + 1000);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      let claimed = 0;
      let more = false;
      try {
        if (this.#inFlight < this.#maxInFlight) ({ claimed, more } = await this.#claim());
      } catch (error) {
        this.#log.error({ err: loggableError(error) }, 'claiming webhook deliveries failed');
      }
      if (!this.#running) break;
      // A full batch, or a subscription's full share with room left in its lane: more may be due. Otherwise the
      // next claim waits for a reason: a NOTIFY, a finished delivery that makes room (in a full lane, or under the
      // in-flight bound), the poll, or (when this claim found nothing) the next due time. So under load a retry
      // can be up to one poll late. Claiming again at once, and asking for the next due time after every claim,
      // tripled the worker's statements at 250 events/s (BENCHMARKS.md).
      if (more) continue;
      await this.#sleep(claimed > 0 || this.#inFlight >= this.#maxInFlight ? this.#pollMs : await this.#untilNextDue());
    }
  }

  async #untilNextDue(): Promise<number> {
    try {
      const next = await nextDueAt(this.#engine.db);
      if (!next) return this.#pollMs;
      const wait = next.getTime() - this.#clock.now().getTime();
      // A due row that the claim just passed over belongs to a full lane: wait for a lane to free (wake) rather
      // than spin on it.
      return wait <= 0 ? this.#pollMs : Math.max(5, Math.min(this.#pollMs, wait));
    } catch {
      return this.#pollMs;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * One claim statement; starts the POSTs it returned. At most `perSubscription` rows (32) of a subscription,
   * and no more than its lane has room for: claims of 128 rows of a dead receiver's backlog took up to 64 ms,
   * with the healthy subscribers' rows waiting behind them (BENCHMARKS.md, eleventh session). `more`: more may
   * be due now, since the claim returned as many rows as it asked for, or all a subscription was asked for and
   * its lane still has room.
   */
  async #claim(): Promise<{ claimed: number; more: boolean }> {
    const room = Math.min(this.#batchSize, this.#maxInFlight - this.#inFlight);
    if (room <= 0) return { claimed: 0, more: false };
    const skip = this.#fullLanes();
    const shares = this.#shares();
    const otherShare = this.#newLaneShare;
    this.#leftOutLanes = skip.length > 0;
    this.#markLeftOut(skip);
    const rows = await claimDue(this.#engine.db, {
      now: this.#clock.now(), leaseMs: this.#leaseMs, limit: room, skip, shares, otherShare,
    });
    this.#counts.claims++;
    this.#counts.claimed += rows.length;
    const share = new Map<string, number>();
    for (const row of rows) {
      share.set(row.subscription_id, (share.get(row.subscription_id) ?? 0) + 1);
      this.#dispatch(row);
    }
    // A subscription that got all it was asked for may have rows left: claim again now if its lane has room,
    // or once it has.
    const asked = new Map(shares.subscriptionIds.map((id, i) => [id, shares.rows[i]!]));
    const gotAll = [...share].filter(([id, n]) => n === (asked.get(id) ?? otherShare)).map(([id]) => id);
    this.#markLeftOut(gotAll.filter((id) => this.#laneFull(id)));
    const more = rows.length === room || gotAll.some((id) => !this.#laneFull(id));
    return { claimed: rows.length, more };
  }

  #dispatch(row: ClaimedDelivery): void {
    this.#inFlight++;
    let lane = this.#lanes.get(row.subscription_id);
    if (!lane) {
      lane = { active: 0, queue: [], slots: NEW_LANE_SLOTS, timingOut: false, idleSince: undefined, leftOut: false };
      this.#lanes.set(row.subscription_id, lane);
    }
    lane.idleSince = undefined;
    if (lane.active < lane.slots) this.#send(row, lane);
    else lane.queue.push(row);
  }

  /**
   * Rows a subscription's lane may still take: it holds (sending or waiting their turn) four rounds of its slots
   * before claims and handoffs leave it out. A claim takes no more than this; a write's handoff that finds room
   * may take it past (negative, by what one statement carries).
   */
  #room(lane: SubscriptionLane): number {
    return lane.slots * ROWS_PER_SLOT - lane.active - lane.queue.length;
  }

  #fullLanes(): string[] {
    return [...this.#lanes].filter(([, lane]) => this.#atCap(lane)).map(([id]) => id);
  }

  /** What a claim may take for each subscription with a lane: the room left in it, `perSubscription` at most. */
  #shares(): { subscriptionIds: string[]; rows: number[] } {
    const shares = { subscriptionIds: [] as string[], rows: [] as number[] };
    for (const [id, lane] of this.#lanes) {
      const room = this.#room(lane);
      if (room > 0) {
        shares.subscriptionIds.push(id);
        shares.rows.push(Math.min(room, this.#perSubscription));
      }
    }
    return shares;
  }

  /**
   * Lanes that writes do not hand deliveries to: full ones, and those of receivers that time out, whose rows
   * wait in the outbox for claims rather than in this process (a write's handoff can carry 64 of them).
   */
  #handoffSkips(): string[] {
    return [...this.#lanes].filter(([, lane]) => lane.timingOut || this.#atCap(lane)).map(([id]) => id);
  }

  #markLeftOut(subscriptionIds: string[]): void {
    for (const id of subscriptionIds) this.#lanes.get(id)!.leftOut = true;
  }

  #laneFull(subscriptionId: string): boolean {
    const lane = this.#lanes.get(subscriptionId);
    return lane !== undefined && this.#atCap(lane);
  }

  #atCap(lane: SubscriptionLane): boolean {
    return this.#room(lane) <= 0;
  }

  #send(row: ClaimedDelivery, lane: SubscriptionLane): void {
    lane.active++;
    void deliverOnce(this.#dispatcher, this.#clock, row, this.#config.webhookTimeoutMs).then((result) => {
      this.#pending.push(result);
      void this.#flush();
      lane.active--;
      this.#adjustSlots(lane, result);
      this.#next(lane);
      // Rows of this subscription were left in the outbox because of its lane; once it has room for a round of
      // its slots, they may be taken (at the first free row, a backlog made a claim per delivery, each taking
      // one row). Other lanes' deliveries finishing free nothing a claim could use (a dead receiver's full lane
      // must not turn every healthy delivery into a claim).
      if (lane.leftOut && this.#room(lane) >= lane.slots) {
        lane.leftOut = false;
        this.wake();
      }
    });
  }

  /**
   * See SubscriptionLane.slots. A receiver that answers, whatever its status, is there. Rows waiting in a lane
   * beyond its new cap go back to the outbox, due, rather than wait their turn one timeout at a time here
   * (where they would outlive their lease).
   */
  #adjustSlots(lane: SubscriptionLane, result: Attempt): void {
    if (result.statusCode !== null) {
      lane.slots = Math.min(this.#perSubscription, lane.slots + 1);
      lane.timingOut = false;
    }
    if (!result.timedOut) return;
    lane.slots = Math.max(1, Math.floor(lane.slots / 2));
    lane.timingOut = true;
    const excess = Math.min(lane.queue.length, -this.#room(lane));
    if (excess <= 0) return;
    this.#giveBackFromLane(lane, lane.queue.splice(lane.queue.length - excess));
  }

  /** Forgets the lanes idle for IDLE_LANE_MS: a subscriber's next delivery starts again from one slot. */
  #forgetIdleLanes(): void {
    const before = performance.now() - IDLE_LANE_MS;
    for (const [id, lane] of this.#lanes) if (lane.idleSince !== undefined && lane.idleSince <= before) this.#lanes.delete(id);
  }

  /** Starts the lane's waiting rows its free slots allow. */
  #next(lane: SubscriptionLane): void {
    const late: ClaimedDelivery[] = [];
    while (lane.active < lane.slots) {
      const row = lane.queue.shift();
      if (!row) break;
      // A row that waited behind a slow receiver until its lease nearly ran out goes back to the outbox rather
      // than risk two workers sending it at once.
      if (this.#clock.now().getTime() > row.leaseUntil.getTime() - this.#config.webhookTimeoutMs - 1000) late.push(row);
      else this.#send(row, lane);
    }
    if (late.length > 0) this.#giveBackFromLane(lane, late);
    if (lane.active === 0 && lane.queue.length === 0) lane.idleSince = performance.now();
  }

  /**
   * Gives back rows a lane held and will not send, their claim's attempt undone. No NOTIFY: every other worker
   * would claim them, for a receiver this one found slow; this worker claims them once the lane has room.
   */
  #giveBackFromLane(lane: SubscriptionLane, rows: ClaimedDelivery[]): void {
    // Once they are due: a finish may have cleared the mark (and claimed in vain) while the release ran.
    this.#giveBack({ rows }, () => {
      lane.leftOut = true;
      if (!this.#atCap(lane)) this.wake();
    });
    for (let i = 0; i < rows.length; i++) this.#finished();
  }

  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = (async () => {
      // Results that finish within a few milliseconds share one statement (a statement costs PostgreSQL far more
      // than a row: at 500 deliveries/s the record statements carried two rows each). The receiver has its
      // delivery already; only the log and the lease wait.
      if (this.#pending.length < this.#batchSize) await new Promise((resolve) => setTimeout(resolve, RECORD_WAIT_MS));
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        this.#dropQueued(await this.#record(batch));
        this.#vacuumWhenDue(batch.length);
        for (let i = 0; i < batch.length; i++) this.#finished();
      }
      this.#flushing = undefined;
    })();
    return this.#flushing;
  }

  /**
   * Records a batch in one statement. If it fails, each result is recorded alone, so that one bad row does not
   * send every other delivery of the batch again. A result that still cannot be recorded stays claimed until its
   * lease runs out, then is sent again: at least once, never lost. Returns the subscriptions that take no more.
   */
  async #record(batch: AttemptResult[]): Promise<string[]> {
    try {
      return await recordAttempts(this.#engine.db, this.#clock.now(), batch);
    } catch (error) {
      if (batch.length === 1) {
        this.#log.error({ err: loggableError(error), delivery: batch[0]!.id }, 'recording a webhook attempt failed');
        return [];
      }
    }
    const closed: string[] = [];
    for (const result of batch) closed.push(...await this.#record([result]));
    return closed;
  }

  /**
   * Drops the deliveries waiting their turn in the lanes of subscriptions that take no more (deleted, or whose
   * receiver answered 410): their rows are gone or marked failed, but for one queued while the 410 was being
   * recorded (or after a PUT enabled the subscription again), which stays pending and goes out once its lease
   * runs out. Without this, a deleted subscription's receiver kept getting POSTs for as long as its lane took to
   * drain: up to 128 rows, a second per 32 of them when it hangs.
   */
  #dropQueued(subscriptionIds: string[]): void {
    for (const id of subscriptionIds) {
      const lane = this.#lanes.get(id);
      if (!lane) continue;
      // The lane stays while requests are out (rows wait only while every slot is busy): they finish through it.
      const dropped = lane.queue.splice(0).length;
      if (lane.active === 0) this.#lanes.delete(id);
      for (let i = 0; i < dropped; i++) this.#finished();
    }
  }

  /** Vacuums the queue in the background once enough attempts were recorded, if nothing else does. */
  #vacuumWhenDue(recorded: number): void {
    if (!this.#vacuumsOutbox) return;
    this.#attemptsSinceVacuum += recorded;
    if (this.#attemptsSinceVacuum < this.#vacuumThreshold || this.#vacuuming) return;
    this.#attemptsSinceVacuum = 0;
    this.#vacuuming = (async () => {
      await vacuumQueue(this.#engine.db);
      const rows = await queueRows(this.#engine.db);
      this.#vacuumThreshold = Math.max(this.#vacuumEveryAttempts, Math.round(0.05 * rows));
    })()
      .catch((error) => this.#log.warn({ err: loggableError(error) }, 'vacuuming the webhook queue failed'))
      .finally(() => (this.#vacuuming = undefined));
  }

  #finished(): void {
    // Claims stopped at the in-flight bound: this one's end makes room.
    const wasFull = this.#inFlight >= this.#maxInFlight;
    this.#inFlight--;
    if (wasFull) this.wake();
    for (const resolve of this.#progress.splice(0)) resolve();
    if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #drainInFlight(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#flushing;
  }

  /** LISTEN for `wakeWorkers`; a dropped connection is re-opened a poll later (the poll covers the gap). */
  #listen(): Promise<() => Promise<void>> {
    return listen(this.#engine, NOTIFY_CHANNEL, { notify: () => this.wake() }, { retryMs: this.#pollMs, log: this.#log });
  }
}
