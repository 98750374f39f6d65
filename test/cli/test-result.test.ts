import assert from 'node:assert/strict';
import { linearizableChecker, type Checker, type CheckerResult } from '../../checkers/registry.js';
import type { Op } from '../../checkers/history/op.js';
import { anomalySummary, failedTestResult, testResultOf } from '../../harness/cli/test-result.js';
import { mergeDefinition } from '../../harness/config/index.js';
import { usageError } from '../../harness/errors.js';
import type { RunOutcome } from '../../harness/run.js';
import { runStats } from '../../harness/store/index.js';
import { ops } from '../support/dsl.js';

/** How a finished or failed run becomes the one line and the status JUnit and the step summary show. */
describe('a run as a CI test result', () => {
  const def = mergeDefinition(undefined, { name: 'reg', target: 'raft-kv', workload: 'register', seed: '3' });
  const linearizable = linearizableChecker as unknown as Checker<CheckerResult>;

  async function outcomeOf(history: Op[]): Promise<RunOutcome> {
    const check = await linearizable.check(history, { model: 'cas-register', workers: 1 });
    return { valid: check.valid, runDir: 'store/reg/1', check, stats: runStats(history), replay: '', history, reports: {}, report: 'store/reg/1/report.html' };
  }

  it('a valid run: status valid, exit 0, how many ops were judged', async () => {
    const o = await outcomeOf(ops(`0 invoke write 1\n0 ok write 1\n1 invoke read nil\n1 ok read 1`));
    const r = testResultOf(def, o, linearizable, 5);
    assert.deepEqual([r.status, r.exitCode, r.summary, r.report, r.runDir], ['valid', 0, 'no anomaly in 2 ops', 'store/reg/1/report.html', 'store/reg/1']);
  });

  it("an anomaly: status invalid, exit 1, the checker's own finding", async () => {
    const o = await outcomeOf(ops(`0 invoke write 1\n0 ok write 1\n1 invoke read nil\n1 ok read 2`));
    const r = testResultOf(def, o, linearizable, 5);
    assert.deepEqual([r.status, r.exitCode, r.summary], ['invalid', 1, '1 key not linearizable']);
  });

  it("an anomaly judged by a checker that presents nothing: the first line of its explanation", async () => {
    const o = await outcomeOf(ops(`0 invoke write 1\n0 ok write 1\n1 invoke read nil\n1 ok read 2`));
    const plain: Checker<CheckerResult> = { ...linearizable, present: undefined, explain: () => '\n  Not linearizable: read 2 of 1\nmore lines' };
    assert.equal(anomalySummary(plain, o), 'Not linearizable: read 2 of 1');
  });

  it('an unknown verdict: status unknown, exit 2, the reason', async () => {
    const o = await outcomeOf(ops(`0 invoke write 1\n0 ok write 1\n1 invoke read nil\n1 ok read 1`));
    const unknown = { ...o, valid: 'unknown' as const, check: { ...o.check, valid: 'unknown' as const, unknownReason: 'time limit of 1 s\nreached' } as CheckerResult };
    const r = testResultOf(def, unknown, linearizable, 5);
    assert.deepEqual([r.status, r.exitCode, r.summary], ['unknown', 2, 'unknown: time limit of 1 s reached']);
  });

  it("a run that threw: the user's error is an error (254), anything else a crash (255), in one line", () => {
    const e = failedTestResult(def, usageError('cannot reach Docker (x): is dockerd running?'), 5);
    assert.deepEqual([e.status, e.exitCode, e.summary, e.runDir], ['error', 254, 'cannot reach Docker (x): is dockerd running?', undefined]);
    const c = failedTestResult(def, new TypeError('x is not a function\n  at f'), 5, 'store/reg/2');
    assert.deepEqual([c.status, c.exitCode, c.runDir], ['crashed', 255, 'store/reg/2']);
    assert.doesNotMatch(c.summary, /\n/);
    assert.match(c.summary, /x is not a function/);
  });
});
