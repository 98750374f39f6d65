/**
 * A ballot (Lamport's "proposal number"): a round and the proposer's id, so two proposers never share one and any
 * two are ordered. Round 0 with no id is below every ballot a proposer makes.
 */
export interface Ballot {
  round: number;
  id: string;
}

export const ZERO_BALLOT: Ballot = Object.freeze({ round: 0, id: '' });

/** Negative, zero or positive as a is below, equal to or above b. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round - b.round;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const sameBallot = (a: Ballot, b: Ballot): boolean => compareBallots(a, b) === 0;

export const showBallot = (b: Ballot): string => `${b.round}.${b.id}`;
