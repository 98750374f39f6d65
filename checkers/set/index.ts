/** Jepsen's set checker: adds, one final read, and which acknowledged adds the read lost. */
export { checkSet, compareElements } from './check.js';
export { explainSet, listElements } from './explain.js';
export type { AddRef, AddStatus, DuplicatedElement, ReadRef, SetCheckOptions, SetCounts, SetResult, UnexpectedElement } from './result.js';
