/** The linearizability checker's public surface: check a history against a model, explain the verdict. */
export { check, checkCompleted, checkSync } from './check.js';
export type { CheckOptions, CheckResult } from './check.js';
export { explainAnomaly, explainResult } from './explain.js';
export type { Candidate, LinearizabilityAnomaly, OpRef, PartitionResult, Validity } from './result.js';
export { mergeValid } from './result.js';
