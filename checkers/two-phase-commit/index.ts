/** 2PC atomicity: transfers over several participants, reads, a final read, and whether each committed all-or-nothing. */
export { checkTwoPhaseCommit } from './check.js';
export { explainTwoPhaseCommit } from './explain.js';
export { ANOMALY_KINDS } from './result.js';
export type {
  AbortedVisible,
  AnomalyKind,
  AtomicityAnomaly,
  BalanceNotConserved,
  FracturedRead,
  InDoubtLeft,
  LostCommit,
  MisplacedMarker,
  PartialCommit,
  ReadRef,
  TotalFrom,
  TransferRef,
  TransferStatus,
  TwoPhaseCommitCounts,
  TwoPhaseCommitOptions,
  TwoPhaseCommitResult,
  UnexpectedMarker,
} from './result.js';
