/** The lock checker: a protected resource's safety under a lock, with mutual exclusion as the clients saw it. */
export { checkLock } from './check.js';
export { explainLock } from './explain.js';
export { presentLock, summarizeLock } from './present.js';
export type { AccessRef, FencingViolation, Hold, LockKeyResult, LockResult, LostUpdate, Overlap, Overwritten } from './result.js';
