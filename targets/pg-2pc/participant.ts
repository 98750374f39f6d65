import net from 'node:net';
import pg from 'pg';
import { connectionConfig } from '../postgres/client.js';

/**
 * A row lock held elsewhere is waited for this long, then the statement fails (55P03). Locks held by a transaction
 * prepared at this participant whose coordinator is slow to commit it are the waits PostgreSQL's deadlock detector
 * cannot see through: it knows nothing of the other participants.
 */
export const LOCK_TIMEOUT_MS = 1000;
/**
 * Longer than the lock timeout, so that a lock wait ends as one (55P03) and not as a statement timeout; and the
 * client's own time-out, for a server that does not answer at all, longer still.
 */
const STATEMENT_TIMEOUT_MS = 1500;
const QUERY_TIMEOUT_MS = 2000;
/**
 * The server probes an idle connection after 5 s of silence: a backend whose coordinator reset the connection
 * during a partition (the reset was dropped with everything else) goes away soon after the heal, instead of taking
 * a connection slot for the kernel's default two hours.
 */
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3';
/** Idle connections kept per participant (more are closed when released). */
const MAX_IDLE = 16;

/** The PostgreSQL error of a prepared transaction that does not exist (already resolved, or never prepared). */
export const UNDEFINED_OBJECT = '42704';

/**
 * Whether the server itself refused a statement (an ERROR answer): then it certainly had no effect beyond aborting
 * the transaction, and the connection still works. Anything else (a timeout, a reset, a FATAL) leaves what the
 * server did unknown.
 */
export function refusedByServer(e: unknown): e is pg.DatabaseError {
  return e instanceof pg.DatabaseError && e.severity === 'ERROR';
}

/**
 * The coordinator's connections to one participant: a small pool of sessions, each with the target's timeouts
 * (connect, statement, lock, and the client's own query time-out for a server that does not answer at all).
 */
export class Participant {
  private readonly idle: { conn: pg.Client; socket: net.Socket }[] = [];
  private closed = false;

  constructor(
    readonly name: string,
    /** Its position in the participant list: account a lives on participant a mod P. */
    readonly index: number,
    private readonly config: pg.ClientConfig,
  ) {}

  static at(name: string, index: number, endpoint: { host: string; port: number }): Participant {
    return new Participant(name, index, {
      ...connectionConfig(endpoint, `coordinator-${name}`),
      lock_timeout: LOCK_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      options: SERVER_KEEPALIVES,
    });
  }

  /** A connected session (reused when one is idle). Rejects if none can be opened: then nothing was sent. */
  async session(): Promise<Session> {
    if (this.closed) throw new Error('coordinator closing');
    const reused = this.idle.pop();
    if (reused) return new Session(this, reused.conn, reused.socket);
    // The socket is ours, so that a session given up on can be reset rather than closed (see Session.release).
    const socket = new net.Socket();
    const conn = new pg.Client({ ...this.config, stream: () => socket });
    // A connection whose server went away emits 'error' (and 'end'); unheard, it would crash the coordinator.
    conn.on('error', () => this.forget(conn));
    conn.on('end', () => this.forget(conn));
    try {
      await conn.connect();
    } catch (e) {
      conn.end().catch(() => {});
      throw e;
    }
    return new Session(this, conn, socket);
  }

  /** One query on a session of its own, released after (simple protocol: several statements may be sent as one). */
  async query(text: string): Promise<pg.QueryResult[]> {
    const s = await this.session();
    try {
      return await s.query(text);
    } finally {
      s.release();
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.conn.end().catch(() => {});
  }

  /** @internal */
  giveBack(conn: pg.Client, socket: net.Socket): void {
    if (this.closed || this.idle.length >= MAX_IDLE) conn.end().catch(() => {});
    else this.idle.push({ conn, socket });
  }

  private forget(conn: pg.Client): void {
    const i = this.idle.findIndex((c) => c.conn === conn);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

/**
 * One connection, held for a transaction. A statement the server refused leaves it usable (after a ROLLBACK, sent
 * here); any other failure makes it unusable and it is reset (the server rolls back whatever was open on it).
 */
export class Session {
  private broken = false;
  private released = false;

  constructor(
    private readonly owner: Participant,
    private readonly conn: pg.Client,
    private readonly socket: net.Socket,
  ) {}

  /** Runs `text` (one or more statements); resolves with one result per statement. */
  async query(text: string): Promise<pg.QueryResult[]> {
    if (this.broken) throw new Error('session broken');
    try {
      const r = (await this.conn.query(text)) as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(r) ? r : [r];
    } catch (e) {
      if (!refusedByServer(e)) this.break();
      else await this.conn.query('ROLLBACK').catch(() => this.break());
      throw e;
    }
  }

  /**
   * Returns the connection to the pool, or resets it if it broke. Reset (RST), not closed: a closed socket's kernel
   * goes on retransmitting what the participant has not acknowledged, so a PREPARE sent into a partition could land
   * seconds after the heal — long after this coordinator gave up on it, decided abort, and found nothing to roll
   * back. A reset drops it.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (!this.broken) return this.owner.giveBack(this.conn, this.socket);
    try {
      this.socket.resetAndDestroy();
    } catch {
      // already destroyed
    }
    this.conn.end().catch(() => {});
  }

  /** Marks the connection unusable: release() resets it, and the server rolls back whatever was open on it. */
  break(): void {
    this.broken = true;
  }
}
