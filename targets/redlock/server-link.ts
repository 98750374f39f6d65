import { Redis, ReplyError } from 'ioredis';
import type { RedisAuth } from '../redis/auth.js';
import { CONNECTION_OPTIONS, messageOf, UNSENT } from '../redis/client.js';

/**
 * What one command to one server came to:
 * - `reply`: the server answered (a reply error included: the server refused the command, so it did nothing);
 * - `unsent`: it certainly never reached the server (no connection, or none within the budget);
 * - `unknown`: it was sent and no answer came within the budget, or the connection broke: it may have been done.
 * `conn` names the connection it went out on: a later command on the same connection runs after it on the server
 * (Redis runs one connection's commands in order), so its reply proves the earlier one was done by then.
 */
export type Answer<T> =
  | { kind: 'reply'; value: T; conn: number }
  | { kind: 'refused'; error: string; conn: number }
  | { kind: 'unsent'; error: string }
  | { kind: 'unknown'; error: string; conn: number };

let connections = 0;

/**
 * One logical process's connection to one of Redlock's independent servers, every command bounded by a budget of
 * its own (Redlock's "small timeout" per server, so that a server down or slow costs the acquisition little). A
 * command that runs out of time leaves the connection open, so that what is sent next (the compare-and-delete that
 * undoes an unanswered SET) is done after it or not at all; a connection that broke is replaced on the next command.
 */
export class ServerLink {
  private conn: Redis | undefined;
  private connId = 0;
  private connecting: Promise<Redis> | undefined;

  constructor(
    readonly node: string,
    private readonly endpoint: { host: string; port: number },
    private readonly auth: RedisAuth = {},
  ) {}

  async ask<T>(command: (c: Redis) => Promise<T>, budgetMs: number): Promise<Answer<T>> {
    const deadline = Date.now() + budgetMs;
    let c: Redis;
    try {
      c = await this.connected(budgetMs);
    } catch (e) {
      return { kind: 'unsent', error: `${this.node}: connect: ${messageOf(e)}` };
    }
    const conn = this.connId;
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'unsent', error: `${this.node}: connected too late to send within ${budgetMs} ms` };
    try {
      return { kind: 'reply', value: await within(command(c), left, `${this.node}: no answer within ${budgetMs} ms`), conn };
    } catch (e) {
      const error = `${this.node}: ${messageOf(e)}`;
      if (e instanceof ReplyError) return { kind: 'refused', error, conn };
      if (UNSENT.some((re) => re.test(messageOf(e)))) return { kind: 'unsent', error };
      // Timed out (the connection stays, see above), or the connection broke (replaced on the next command).
      return { kind: 'unknown', error, conn };
    }
  }

  close(): void {
    this.conn?.disconnect();
    this.conn = undefined;
    this.connecting = undefined;
  }

  /**
   * The connection, once ready within the budget. One still connecting when a budget ran out is kept (its handshake
   * goes on) for the next command to wait on, rather than started again from nothing under the same short budget.
   */
  private async connected(budgetMs: number): Promise<Redis> {
    if (this.conn?.status === 'ready') return this.conn;
    if (this.connecting === undefined) {
      this.close();
      // No ready check (an INFO round trip): a server still loading answers the command itself with LOADING.
      const c = new Redis({ ...this.endpoint, ...CONNECTION_OPTIONS, ...this.auth, enableReadyCheck: false });
      // Errors reach the command that meets them; unheard, the event would end the process.
      c.on('error', () => {});
      this.conn = c;
      this.connId = ++connections;
      const connecting = c.connect().then(
        () => c,
        (e: unknown) => {
          if (this.conn === c) this.close();
          throw e;
        },
      );
      this.connecting = connecting;
      void connecting.then(
        () => this.connecting === connecting && (this.connecting = undefined),
        () => this.connecting === connecting && (this.connecting = undefined),
      );
    }
    return within(this.connecting, budgetMs, `not connected within ${budgetMs} ms`);
  }
}

/** `p`, or a rejection after `ms` whatever `p` does (it is left to settle unheard). */
function within<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => {});
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(why)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
