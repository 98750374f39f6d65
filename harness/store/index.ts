/**
 * The run store: the history recorder (the only writer of history.jsonl), the run's stats, and the store's layout
 * (`<root>/<test>/<timestamp>/{history.jsonl,results.json,run.log}` and `<root>/latest`).
 */
export { HISTORY_FILE, HistoryRecorder } from './recorder.js';
export type { OpInput, RecorderOptions } from './recorder.js';
export { checkShape, HistoryRuleError, ProcessRules } from './rules.js';
export { runStats } from './stats.js';
export type { FStats, Latency, OpCounts, RunStats, StatsOptions } from './stats.js';
export { nemesisIntervals } from './nemesis-intervals.js';
export type { IntervalOptions, NemesisInterval } from './nemesis-intervals.js';
export { createRunDir, LATEST, listRuns, parseRunName, runTimestamp, sanitizeTestName, updateLatest } from './store.js';
export type { RunInfo } from './store.js';
export { writeFileAtomically } from './atomic.js';
export { readResults, readVerdict, RESULTS_FILE, RUN_STATUSES, statusOf, writeResults } from './results.js';
export type { RunResults, RunStatus, Verdict } from './results.js';
export { RUN_LOG_FILE, RunLog } from './run-log.js';
export type { LogLevel } from './run-log.js';
export { parseAge, planPrune, removeRuns } from './prune.js';
export type { PruneRule } from './prune.js';
