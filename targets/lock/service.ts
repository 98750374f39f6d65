/**
 * What a lock service granted a holder: the random value it stored (what a compare-and-delete must find), the key
 * it stored it under, and which servers granted it (the primary at the time; a Redlock quorum), so that a report can
 * say that two holders were granted the lock by different servers (a failover that lost the key).
 */
export interface LockGrant {
  readonly lease: string;
  readonly redisKey: string;
  readonly nodes: readonly string[];
}

/**
 * The lock as one logical process uses it (one instance per process, with its own connections). `acquire` tries
 * until `deadline` (Date.now() ms) and resolves with the grant, or undefined when it certainly holds nothing then;
 * it rejects when it may hold the lock without knowing (a SET sent and never answered). `release` resolves true when
 * it removed this holder's lock, false when the lock was not this holder's any more (expired, or taken); it rejects
 * when the outcome is unknown.
 */
export interface LockService {
  acquire(name: string, deadline: number): Promise<LockGrant | undefined>;
  release(grant: LockGrant): Promise<boolean>;
  close(): void;
}

/** A lock service's refusal that is certain (nothing was written): the op fails rather than being info. */
export class LockRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockRefused';
  }
}
