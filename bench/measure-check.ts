/**
 * One measured check in a fresh process: read a history file, check it, print one JSON line with the times, the
 * verdict and the peak RSS of the whole process (worker threads included). Used by check-generated.ts.
 *
 *   node dist/bench/measure-check.js <file> <model> [timeLimitSeconds]
 */
import { readHistoryFile } from '../checkers/formats/index.js';
import { check } from '../checkers/linearizability/index.js';

const [file, model, limit] = process.argv.slice(2);
const t0 = performance.now();
const history = await readHistoryFile(file);
const t1 = performance.now();
const result = await check(history, model, limit ? { timeLimitMs: Number(limit) * 1000 } : {});
const t2 = performance.now();
const explored = result.partitions.reduce((n, p) => n + p.explored, 0);
process.stdout.write(
  JSON.stringify({
    events: history.ops.length,
    ops: result.ops,
    keys: result.keys,
    valid: result.valid,
    unknownReason: result.unknownReason,
    readMs: Math.round(t1 - t0),
    checkMs: Math.round(t2 - t1),
    totalMs: Math.round(t2 - t0),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    exploredInUnfinishedKeys: explored,
  }) + '\n',
);
