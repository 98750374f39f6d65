import type { FaultTarget } from '../config/definition.js';
import type { Rng } from '../rng.js';
import type { Faults, MembershipFaults } from '../runtime.js';
import type { Inflicted } from './effects.js';

/** What a membership fault did: a join or a leave of one node, or nothing, with why. */
export type MembershipChange = { op: 'join' | 'leave'; node: string } | { op: 'none'; reason: string };

/** The runtime's membership changes: the registry refused a membership fault on a runtime or target without them. */
function membershipOf(faults: Faults): MembershipFaults {
  if (!faults.membership) throw new Error('this runtime cannot change the membership of this target');
  return faults.membership;
}

/**
 * The change a membership fault asks for. `join` asks a spare (a candidate not a member now) to join, `leave` a
 * member (a candidate) to leave, never below `minMembers`. Left open (`either`), it draws one of the two, and does the other when
 * the one drawn cannot be done (no spare to join, no member to spare); asked for one that cannot be done, or when
 * neither can, it does nothing and says why. Every draw is the nemesis's seeded rng, so a seed replays the changes.
 */
export function chooseChange(m: MembershipFaults, asked: 'join' | 'leave', either: boolean, rng: Rng): MembershipChange {
  const members = m.members();
  const spares = m.candidates.filter((n) => !members.includes(n));
  // A member that is no candidate (one the target keeps for good) never leaves.
  const leavers = members.filter((n) => m.candidates.includes(n));
  const possible = (op: 'join' | 'leave') => (op === 'join' ? spares.length > 0 : members.length > m.minMembers && leavers.length > 0);
  const op = possible(asked) ? asked : either && possible(other(asked)) ? other(asked) : undefined;
  if (op === 'join') return { op, node: rng.pick(spares) };
  if (op === 'leave') return { op, node: rng.pick(leavers) };
  const noJoin = `no spare to join (every one of ${m.candidates.length} candidates is a member)`;
  const noLeave = `no member can leave (${members.length} members, at least ${m.minMembers} must stay)`;
  const reason = either ? `${noJoin}, and ${noLeave}` : asked === 'join' ? noJoin : noLeave;
  return { op: 'none', reason };
}

function other(op: 'join' | 'leave'): 'join' | 'leave' {
  return op === 'join' ? 'leave' : 'join';
}

/**
 * A membership fault: the change is asked at the fault's start and stays (Jepsen's membership nemesis grows and
 * shrinks the cluster; it does not put a node back when a window ends). The stop is still recorded, as every
 * fault's is, so a history keeps its start/stop pairs: its value says nothing was undone.
 */
export function changeMembership(faults: Faults, target: FaultTarget, either: boolean, rng: Rng): Inflicted {
  const m = membershipOf(faults);
  const change = chooseChange(m, target === 'leave' ? 'leave' : 'join', either, rng);
  const started = change.op === 'join' ? m.join(change.node) : change.op === 'leave' ? m.leave(change.node) : undefined;
  return { value: change, started, undo: () => undefined, undoneValue: { ...change, undone: false } };
}
