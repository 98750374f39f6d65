import { REFUSALS, type Refusal } from './messages.js';

/** A replica's answer to a get or a put: its copy (gets), or why it refused, with the configuration it knows. */
export type ReplicaReply = Record<string, unknown> & { ok: boolean; error?: string };

/** How a quorum round ended: enough replicas answered, one refused (the round is over), or time ran out. */
export type QuorumOutcome = { ok: ReplicaReply[] } | { refused: Refusal; reply: ReplicaReply } | { timeout: true };

/**
 * One round of a quorum protocol: ask every owner, finish as soon as `need` of them agreed, or as soon as one refused
 * for a reason that ends the round (an epoch newer than the sender's: nothing more at this epoch can succeed), or
 * when the quorum can no longer be reached. `ask` delivers one request and calls back with the reply, or undefined
 * after its time-out.
 */
export function quorumRound(owners: readonly string[], need: number, ask: (node: string, done: (r: ReplicaReply | undefined) => void) => void, done: (o: QuorumOutcome) => void): void {
  const ok: ReplicaReply[] = [];
  let failed = 0;
  let refusal: { refused: Refusal; reply: ReplicaReply } | undefined;
  let over = false;
  const finish = (o: QuorumOutcome) => {
    if (over) return;
    over = true;
    done(o);
  };
  for (const n of owners) {
    ask(n, (r) => {
      if (over) return;
      if (r?.ok) {
        ok.push(r);
        if (ok.length >= need) finish({ ok });
        return;
      }
      if (r && r.error === 'epoch') return finish({ refused: 'epoch', reply: r });
      failed++;
      if (!refusal && r && typeof r.error === 'string' && REFUSALS.includes(r.error)) refusal = { refused: r.error as Refusal, reply: r };
      // A refusal says why better than a silence does (and that one replica, at least, did nothing).
      if (owners.length - failed < need) finish(refusal ?? { timeout: true });
    });
  }
}
