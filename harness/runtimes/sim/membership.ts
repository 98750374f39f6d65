import type { Clock, MembershipFaults } from '../../runtime.js';
import type { RequestTransport } from '../../transport.js';
import type { SimMembership } from './target.js';

/** How long the admin endpoint waits for a node's `{ ok: true }` before it asks again (virtual ms). */
export const MEMBERSHIP_RESEND_MS = 200;

/**
 * The simulation's membership changes. The harness's `admin` endpoint asks the node itself (the target's request
 * message), as an operator's `nodetool decommission` or a join RPC would, and asks again every 200 ms until the node
 * answers `{ ok: true }`: a killed, paused or cut-off node only delays the change, which it makes once it hears.
 * `members()` is what the harness asked, at once; the system decides when it can. A later ask for the same node
 * supersedes an earlier one still unanswered (a join then a leave: the node ends up asked to leave, the last word).
 * Nothing waits for a reply, so a call returns at once and a seed replays exactly.
 */
export function simMembership(
  spec: SimMembership,
  nodes: readonly string[],
  admin: RequestTransport,
  clock: Pick<Clock, 'at'>,
  running: () => boolean,
): MembershipFaults {
  const candidates = spec.candidates(nodes);
  const initial = spec.initial(nodes);
  const strangers = [...candidates, ...initial].filter((n) => !nodes.includes(n));
  if (strangers.length > 0) throw new Error(`membership names nodes not in the cluster: ${[...new Set(strangers)].join(', ')}`);
  const members = new Set(initial);
  /** Each node's latest ask still unanswered, by a number no other ask has. */
  const latest = new Map<string, number>();
  let asks = 0;

  const ask = (op: 'join' | 'leave', node: string): void => {
    if (!candidates.includes(node)) throw new Error(`${node} may not ${op}: it is not a membership candidate (${candidates.join(', ')})`);
    if (op === 'join') members.add(node);
    else members.delete(node);
    const id = ++asks;
    latest.set(node, id);
    const send = () => {
      if (!running() || latest.get(node) !== id) return;
      admin.request(node, spec.request(op, node), MEMBERSHIP_RESEND_MS, (reply) => {
        if (latest.get(node) !== id) return;
        if (reply?.ok === true) latest.delete(node);
        // No answer in 200 ms: ask again now. An answer that is not ok (not now): ask again in 200 ms.
        else if (reply === undefined) send();
        else clock.at(MEMBERSHIP_RESEND_MS, send);
      });
    };
    send();
  };

  return {
    members: () => nodes.filter((n) => members.has(n)),
    candidates,
    minMembers: spec.minMembers,
    join: (node) => ask('join', node),
    leave: (node) => ask('leave', node),
  };
}
