import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { COMPARE_AND_DELETE } from '../lock/redis-compare-and-delete.js';
import type { LockGrant, LockService } from '../lock/service.js';
import type { Answer, ServerLink } from './server-link.js';

/**
 * Each server's budget for one SET or compare-and-delete during an acquisition: Redlock's timeout "small compared to
 * the total lock auto-release time" (antirez: 5-50 ms for a 10 s lease), so that a server down costs little.
 */
export const SERVER_TIMEOUT_MS = 50;
/** Each server's budget for a release's compare-and-delete, and the last clean-up of a failed acquisition: no lease runs then. */
export const RELEASE_TIMEOUT_MS = 500;
/** The longest random wait between two attempts (uniform from 0), to break the symmetry of clients that split the votes. */
export const RETRY_DELAY_MAX_MS = 100;

/** Redlock's allowance for the servers' clocks running at different rates: 1% of the lease, plus 2 ms for the timers' resolution. */
export const driftOf = (ttlMs: number): number => Math.floor(ttlMs * 0.01) + 2;

/** How long a lock just acquired is still valid: the lease, less the time the acquisition took and the drift allowance. */
export const validityOf = (ttlMs: number, elapsedMs: number): number => ttlMs - elapsedMs - driftOf(ttlMs);

/** The majority a grant needs: N/2 + 1 of N servers. */
export const quorumOf = (n: number): number => Math.floor(n / 2) + 1;

/**
 * What this client knows of its own value on one server: `held` (the server granted or kept it), `absent` (the
 * server never took it, or deleted it for us), or `maybe`, a command that may have landed unanswered (on connection
 * `conn`: a later reply on the same connection settles it).
 */
type Mark = { state: 'held' | 'absent' } | { state: 'maybe'; conn?: number };

/** One value this process put out, and where it may be. */
interface Attempt {
  value: string;
  marks: Map<ServerLink, Mark>;
}

/**
 * The Redlock algorithm (antirez, https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) over N
 * independent Redis servers, for one logical process:
 * 1. take the time; 2. `SET key value NX PX ttl` with a fresh random value on every server, in parallel, each with a
 * SERVER_TIMEOUT_MS budget; 3. acquired when a majority granted it and the validity (ttl − elapsed − drift) is still
 * positive; 4. otherwise compare-and-delete that value on every server, wait a random delay and try again, until
 * the deadline. Release is the compare-and-delete on every server.
 *
 * Certainty, never more than the answers give: a SET whose answer did not come may have landed. The compare-and-delete
 * that follows it goes out on the same connection, so its answer settles that server either way; if the connection
 * broke, that server stays "maybe" (only a deletion then settles it). An acquisition that ends without the lock
 * resolves undefined when no value of its own can be on a majority, and rejects (the op is info) when one may be.
 */
export class Redlock implements LockService {
  private readonly quorum: number;

  constructor(
    private readonly servers: readonly ServerLink[],
    private readonly ttlMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.quorum = quorumOf(servers.length);
  }

  async acquire(name: string, deadline: number): Promise<LockGrant | undefined> {
    const unsettled: Attempt[] = [];
    for (;;) {
      const attempt: Attempt = { value: randomBytes(16).toString('hex'), marks: new Map() };
      const start = Date.now();
      const sets = await Promise.all(
        this.servers.map((s) => s.ask((c) => c.set(name, attempt.value, 'PX', this.ttlMs, 'NX'), SERVER_TIMEOUT_MS)),
      );
      const elapsed = Date.now() - start;
      this.servers.forEach((s, i) => attempt.marks.set(s, markOfSet(sets[i])));
      const granted = this.servers.filter((s) => attempt.marks.get(s)!.state === 'held');
      if (granted.length >= this.quorum && validityOf(this.ttlMs, elapsed) > 0) {
        // Values of failed attempts that may linger (unanswered) only keep others out until they expire: not ours to use.
        return { lease: attempt.value, redisKey: name, nodes: granted.map((s) => s.node) };
      }
      await this.undo(name, attempt, SERVER_TIMEOUT_MS);
      if (maybeHeld(attempt) > 0) unsettled.push(attempt);
      const delay = this.random() * RETRY_DELAY_MAX_MS;
      if (Date.now() + delay >= deadline) break;
      await new Promise((r) => setTimeout(r, delay));
    }
    // Ending without the lock: one more try at the values that may still be out there, with time to answer.
    await Promise.all(unsettled.map((a) => this.undo(name, a, RELEASE_TIMEOUT_MS)));
    const doubtful = unsettled.find((a) => maybeHeld(a) >= this.quorum);
    if (doubtful !== undefined) {
      const where = [...doubtful.marks].filter(([, m]) => m.state !== 'absent').map(([s]) => s.node);
      throw new Error(`not acquired, but a value of ours may be on a majority (${where.join(', ')}): SETs and deletes went unanswered`);
    }
    return undefined;
  }

  async release(grant: LockGrant): Promise<boolean> {
    const answers = await Promise.all(this.servers.map((s) => s.ask(compareAndDelete(grant.redisKey, grant.lease), RELEASE_TIMEOUT_MS)));
    const deleted = answers.filter((a) => a.kind === 'reply' && a.value === 1).length;
    const unknown = answers.filter((a) => a.kind === 'unknown').length;
    if (deleted >= this.quorum) return true;
    if (deleted + unknown < this.quorum) return false;
    const why = answers.flatMap((a) => (a.kind === 'unknown' ? [a.error] : []));
    throw new Error(`released on ${deleted} of ${this.servers.length} servers, ${unknown} unanswered: ${why.join('; ')}`);
  }

  close(): void {
    for (const s of this.servers) s.close();
  }

  /** Compare-and-delete the attempt's value on every server where it may be, and mark what the answers settle. */
  private async undo(name: string, attempt: Attempt, budgetMs: number): Promise<void> {
    const open = [...attempt.marks].filter(([, m]) => m.state !== 'absent').map(([s]) => s);
    const answers = await Promise.all(open.map((s) => s.ask(compareAndDelete(name, attempt.value), budgetMs)));
    open.forEach((s, i) => {
      const mark = attempt.marks.get(s)!;
      const a = answers[i];
      if (a.kind !== 'reply') return;
      // Deleted: it was ours and is gone. Not there: settled only if nothing of ours can still land after this reply.
      if (a.value === 1 || mark.state === 'held' || (mark.state === 'maybe' && mark.conn === a.conn)) attempt.marks.set(s, { state: 'absent' });
    });
  }
}

/** The mark a SET's answer leaves: OK is a grant, nil (the key is someone's) or an error reply nothing, the rest a doubt. */
function markOfSet(a: Answer<string | null>): Mark {
  if (a.kind === 'reply') return { state: a.value === 'OK' ? 'held' : 'absent' };
  if (a.kind === 'refused' || a.kind === 'unsent') return { state: 'absent' };
  return { state: 'maybe', conn: a.conn };
}

/** On how many servers the attempt's value may still be. */
const maybeHeld = (a: Attempt): number => [...a.marks.values()].filter((m) => m.state !== 'absent').length;

const compareAndDelete = (key: string, value: string) => (c: Redis) => c.eval(COMPARE_AND_DELETE, 1, key, value) as Promise<number>;
