import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { ProcessClient } from '../../harness/hosting/client.js';
import { COORDINATOR, participantsOf, RECOVERING, type Reply, type Transfer } from './protocol.js';

/** What the bank client performs (`perform` below). */
export const BANK_OPERATIONS = ['transfer', 'read', 'final-read'] as const;

/** A transfer with no answer after this long may have committed or not: info. */
export const TRANSFER_TIMEOUT_MS = 3000;
/** A read with no answer after this long fails (a read changes nothing). */
export const READ_TIMEOUT_MS = 3000;
/** The final read is asked again until it answers, for this long at most (the coordinator may still be recovering). */
export const FINAL_READ_DEADLINE_MS = 60_000;
/** Is the coordinator up? The final read asks this first, so that a request is not lost to a closed port. */
const PROBE_TIMEOUT_MS = 1000;
/** The coordinator lets transfers still under way finish before the final read (up to 20 s): longer than that. */
const FINAL_ATTEMPT_TIMEOUT_MS = 25_000;
const FINAL_RETRY_MS = 300;

/**
 * A logical process's client of the pg-2pc coordinator: each op one request, answered with the request's `rid`.
 * A transfer's completion is its invocation's value plus the participants it touches (as the 2pc checker reads
 * it); no answer in time is info, since the coordinator may have committed it. A read that gets no answer fails.
 * The final read asks until it gets an answer or FINAL_READ_DEADLINE_MS passes.
 */
export function bankClient(pc: ProcessClient, participants: readonly string[]): Client {
  let closed = false;
  const ask = (msg: Record<string, unknown>, ms: number) => pc.request(COORDINATOR, msg, ms) as Promise<Reply | undefined>;

  async function transfer(op: ClientOp): Promise<Completion> {
    const t = op.value as Partial<Transfer> | null;
    if (!t || typeof t !== 'object' || ![t.id, t.from, t.to, t.amount].every(Number.isSafeInteger)) {
      return { type: 'fail', value: op.value, error: 'a transfer is {id, from, to, amount}, integers' };
    }
    const value = { ...t, participants: participantsOf(t as Transfer, participants) };
    const reply = await ask({ type: 'transfer', id: t.id, from: t.from, to: t.to, amount: t.amount }, TRANSFER_TIMEOUT_MS);
    if (!reply) return { type: 'info', value, error: 'timeout' };
    return completion(reply.type, value, reply.error);
  }

  async function read(op: ClientOp): Promise<Completion> {
    const since = (op.value as { since?: unknown } | null)?.since ?? 0;
    const reply = await ask({ type: 'read', since }, READ_TIMEOUT_MS);
    if (reply?.type === 'ok') return { type: 'ok', value: reply.value };
    return { type: 'fail', value: op.value, error: reply?.error ?? 'timeout' };
  }

  async function finalRead(op: ClientOp): Promise<Completion> {
    const deadline = Date.now() + FINAL_READ_DEADLINE_MS;
    let last = 'no answer';
    while (!closed && Date.now() < deadline) {
      const status = await ask({ type: 'status' }, PROBE_TIMEOUT_MS);
      if (status?.recovered === true) {
        const reply = await ask({ type: 'final-read' }, Math.min(FINAL_ATTEMPT_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
        if (reply?.type === 'ok') return { type: 'ok', value: reply.value };
        last = reply?.error ?? 'timeout';
      } else {
        last = status ? RECOVERING : 'coordinator not answering';
      }
      await new Promise((r) => setTimeout(r, FINAL_RETRY_MS));
    }
    return { type: 'fail', value: op.value, error: `final read: ${last}` };
  }

  async function perform(op: ClientOp): Promise<Completion> {
    switch (op.f) {
      case 'transfer':
        return transfer(op);
      case 'read':
        return read(op);
      case 'final-read':
        return finalRead(op);
      default:
        return { type: 'fail', value: op.value, error: `unknown operation ${op.f}` };
    }
  }

  return {
    invoke(op, done) {
      // perform() settles every outcome itself; a throw would be a bug, and then the outcome is unknown.
      perform(op).then(done, (e: unknown) => done({ type: 'info', value: op.value, error: e instanceof Error ? e.message : String(e) }));
    },
    close() {
      closed = true;
      void pc.close();
    },
  };
}

function completion(type: Reply['type'], value: unknown, error: string | undefined): Completion {
  const t = type === 'ok' || type === 'fail' ? type : 'info';
  return error === undefined ? { type: t, value } : { type: t, value, error };
}
