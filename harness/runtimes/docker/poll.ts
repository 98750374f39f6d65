import { UsageError } from '../../errors.js';

/** How often pollUntil asks again, unless told otherwise. */
export const POLL_MS = 200;

/**
 * Asks `notYet` until it says nothing is missing (undefined) or the deadline (Date.now() ms) passes; then rejects
 * with its last answer, the reason the system is not ready (or the message of what it last threw). Between two
 * questions it waits `intervalMs`. A UsageError (the user's credentials refused, a name the cluster does not know)
 * ends it at once: asking again would not change the answer.
 */
export async function pollUntil(deadline: number, notYet: () => Promise<string | undefined>, intervalMs = POLL_MS): Promise<void> {
  let why = 'never asked';
  for (;;) {
    try {
      const missing = await notYet();
      if (missing === undefined) return;
      why = missing;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      why = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() >= deadline) throw new Error(why);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
