import type { Operation } from '../history/op.js';
import type { Model } from '../models/model.js';
import { describeStateDefault } from '../models/identity.js';
import { describeOpDefault } from '../models/model.js';
import type { LinearizabilityAnomaly, OpRef } from './result.js';
import type { SearchOutcome } from './wgl.js';

const MAX_CONCURRENT = 16;

export function opRef(o: Operation, model: Model<any>): OpRef {
  const ref: OpRef = {
    id: o.id,
    process: o.process,
    f: o.f,
    value: o.value,
    status: o.status,
    invokeIndex: o.invokeIndex,
    completeIndex: o.completeIndex,
    text: (model.describeOp ?? describeOpDefault)(o),
  };
  if (o.key !== undefined) ref.key = o.key;
  if (o.line !== undefined) ref.line = o.line;
  if (o.completeLine !== undefined) ref.completeLine = o.completeLine;
  return ref;
}

/**
 * Turns the search's raw failure into evidence: the op no linearization got past, the last op known good before
 * it, the candidate linearizations with the state after each op, and the ops concurrent with the failure.
 */
export function anomalyOf<S>(ops: readonly Operation[], model: Model<S>, out: SearchOutcome<S>, key: Operation['key']): LinearizabilityAnomaly {
  const failed = ops[out.failed!];
  const describeState = (id: number) => (model.describeState ?? describeStateDefault)(out.table.states[id] as S);
  let previousOk: Operation | undefined;
  for (const o of ops) {
    if (o.status === 'ok' && o.ret < failed.ret && (!previousOk || o.ret > previousOk.ret)) previousOk = o;
  }
  const concurrent = ops
    .filter((o) => o !== failed && o.call < failed.ret && o.ret > failed.call)
    .slice(0, MAX_CONCURRENT)
    .map((o) => opRef(o, model));
  const anomaly: LinearizabilityAnomaly = {
    type: 'nonlinearizable',
    op: opRef(failed, model),
    candidates: out.candidates.map((c) => ({
      steps: c.path.map((i, k) => ({ op: opRef(ops[i], model), state: describeState(c.states[k]) })),
      omitted: c.omitted,
      state: describeState(c.state),
      reason: c.reason,
    })),
    concurrent,
  };
  if (key !== undefined) anomaly.key = key;
  if (previousOk) anomaly.previousOk = opRef(previousOk, model);
  return anomaly;
}
