/**
 * faultline's checkers as a library (`import … from 'faultline/checkers'`): pure functions from a history to a
 * verdict with evidence. They know nothing of the harness.
 */
export { check, checkSync, explainResult } from './linearizability/index.js';
export type { CheckOptions, CheckResult, LinearizabilityAnomaly, PartitionResult, Validity } from './linearizability/index.js';
export { checkHistoryFile } from './linearizability/check-file.js';
export { readHistoryFile } from './formats/index.js';
export { defineModel, loadModel, MODEL_NAMES } from './models/index.js';
export type { Model, ModelOp, ModelRef, ModelSource, ModelSpec, Step } from './models/model.js';
export { BUILTIN_CHECKERS, linearizableChecker, presentationOf, setChecker, twoPhaseCommitChecker } from './registry.js';
export type { Checker, CheckerOptions, CheckerResult, CheckerVerdict } from './registry.js';
export type * from './presentation.js';
export { PRESENT_LIMITS, valueText } from './presentation.js';
export type { History } from './history/history.js';
export type { Op } from './history/op.js';
