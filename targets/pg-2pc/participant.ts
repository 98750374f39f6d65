import { refusedByServer } from '../postgres/errors.js';
import { sessionOptions } from '../postgres/client.js';
import { PgSession, type Rows, type SessionOptions, type Sql, type Statement } from '../postgres/session.js';

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

/** Statements built with postgres.js, sent at once on one session (see PgSession.batch). */
export type Build = (sql: Sql) => readonly Statement[];

/**
 * The coordinator's connections to one participant: a small pool of sessions, each with the target's timeouts
 * (connect, statement, lock, and the client's own query time-out for a server that does not answer at all).
 */
export class Participant {
  private readonly idle: PgSession[] = [];
  private closed = false;

  constructor(
    readonly name: string,
    /** Its position in the participant list: account a lives on participant a mod P. */
    readonly index: number,
    private readonly options: SessionOptions,
  ) {}

  static at(name: string, index: number, endpoint: { host: string; port: number }): Participant {
    const base = sessionOptions(endpoint, `coordinator-${name}`);
    return new Participant(name, index, {
      ...base,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      settings: { ...base.settings, lock_timeout: LOCK_TIMEOUT_MS, statement_timeout: STATEMENT_TIMEOUT_MS, options: SERVER_KEEPALIVES },
    });
  }

  /** A connected session (reused when one is idle). Rejects if none can be opened: then nothing was sent. */
  async session(): Promise<Session> {
    if (this.closed) throw new Error('coordinator closing');
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      // An idle session whose server went away (a kill, a FATAL) is closed, not reused.
      if (s.usable) return new Session(this, s);
      s.close();
    }
    const s = new PgSession(this.options);
    try {
      await s.connect();
    } catch (e) {
      s.close();
      throw e;
    }
    return new Session(this, s);
  }

  /** Statements on a session of their own, released after; one answer per statement. */
  async run(build: Build): Promise<Rows[]> {
    const s = await this.session();
    try {
      return await s.run(build);
    } finally {
      s.release();
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.idle.splice(0)) s.close();
  }

  /** @internal */
  giveBack(session: PgSession): void {
    if (this.closed || this.idle.length >= MAX_IDLE || !session.usable) session.close();
    else this.idle.push(session);
  }
}

/**
 * One connection, held for a transaction. A statement the server refused leaves it usable (after a ROLLBACK, sent
 * here); any other failure breaks it, and it is reset (the server rolls back whatever was open on it).
 */
export class Session {
  private released = false;

  constructor(
    private readonly owner: Participant,
    private readonly pg: PgSession,
  ) {}

  /** Sends the statements `build` makes at once; resolves with one answer per statement. */
  async run(build: Build): Promise<Rows[]> {
    try {
      return await this.pg.batch(build);
    } catch (e) {
      if (refusedByServer(e) && this.pg.usable) await this.pg.one((sql) => sql`ROLLBACK`).catch(() => this.pg.break());
      throw e;
    }
  }

  /**
   * Returns the connection to the pool, or closes it if it broke. A broken one was reset (RST), not closed: a
   * closed socket's kernel goes on retransmitting what the participant has not acknowledged, so a PREPARE sent into
   * a partition could land seconds after the heal — long after this coordinator gave up on it, decided abort, and
   * found nothing to roll back. A reset drops it.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.giveBack(this.pg);
  }
}
