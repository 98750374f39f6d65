import type { DurableStorage } from '../../harness/node.js';
import { compareBallots, ZERO_BALLOT, type Ballot } from './ballot.js';
import type { AcceptedValue, Command } from './messages.js';

/**
 * A Paxos acceptor: the highest ballot it promised and, per instance, the last value it accepted. Both are durable
 * before the acceptor answers (`put` returns once written): an acceptor that restarts keeps every promise it made,
 * which is what makes a quorum of promises a guarantee. forget-promise keeps the promise in memory only.
 */
export class Acceptor {
  private promisedBallot: Ballot;
  private readonly accepted = new Map<number, AcceptedValue>();
  /** The highest instance with an accepted value (-1: none). */
  private top: number;

  constructor(
    private readonly storage: DurableStorage,
    private readonly forgetPromise: boolean,
  ) {
    this.promisedBallot = (forgetPromise ? undefined : storage.get<Ballot>('promised')) ?? ZERO_BALLOT;
    this.top = storage.get<number>('acceptedTop') ?? -1;
    for (let i = 0; i <= this.top; i++) {
      const a = storage.get<AcceptedValue>(`accepted:${i}`);
      if (a) this.accepted.set(i, a);
    }
  }

  get promised(): Ballot {
    return this.promisedBallot;
  }

  /** What this acceptor accepted in an instance. */
  acceptedIn(instance: number): AcceptedValue | undefined {
    return this.accepted.get(instance);
  }

  /** Phase 1b: promises `ballot` unless it promised a higher one; then every value accepted from `from` on. */
  prepare(ballot: Ballot, from: number): [number, AcceptedValue][] | undefined {
    if (compareBallots(ballot, this.promisedBallot) < 0) return undefined;
    this.promise(ballot);
    const found: [number, AcceptedValue][] = [];
    for (let i = Math.max(0, from); i <= this.top; i++) {
      const a = this.accepted.get(i);
      if (a) found.push([i, a]);
    }
    return found;
  }

  /** Phase 2b: accepts unless it promised a higher ballot (accepting is promising that ballot too). */
  accept(ballot: Ballot, instance: number, value: Command): boolean {
    if (compareBallots(ballot, this.promisedBallot) < 0) return false;
    this.promise(ballot);
    const a: AcceptedValue = { ballot, value };
    this.accepted.set(instance, a);
    this.storage.put(`accepted:${instance}`, a);
    if (instance > this.top) {
      this.top = instance;
      this.storage.put('acceptedTop', instance);
    }
    return true;
  }

  private promise(ballot: Ballot): void {
    if (compareBallots(ballot, this.promisedBallot) === 0) return;
    this.promisedBallot = ballot;
    if (!this.forgetPromise) this.storage.put('promised', ballot);
  }
}
