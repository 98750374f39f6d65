import type { CheckResult, LinearizabilityAnomaly, OpRef } from './result.js';
import { show } from '../values/show.js';

/** "process 3 read 3 (line 42)": how an op is named in prose. */
export function nameOp(op: OpRef): string {
  const lines = op.completeLine !== undefined ? `lines ${op.line}–${op.completeLine}` : `line ${op.line}`;
  const where = op.line !== undefined ? ` (${lines})` : ` (index ${op.invokeIndex})`;
  const crashed = op.status === 'info' ? ', crashed' : '';
  return `process ${op.process} ${op.text}${crashed}${where}`;
}

/**
 * Evidence as prose, Elle-style: the data in a LinearizabilityAnomaly, told as an argument ending in the
 * contradiction. Rendering is separate from finding, so reports can draw the same data differently.
 */
export function explainAnomaly(a: LinearizabilityAnomaly): string {
  const lines: string[] = [];
  const subject = a.key !== undefined ? `Key ${show(a.key)}` : 'The history';
  lines.push(`${subject} is not linearizable: no order of its operations explains ${nameOp(a.op)}.`);
  if (a.previousOk) lines.push(`Everything up to ${nameOp(a.previousOk)} can be linearized.`);
  a.candidates.forEach((c, n) => {
    const lead = n === 0 ? 'Let the operations before it take effect in the order' : 'Or in the order';
    const skipped = c.omitted > 0 ? `…${c.omitted} earlier operation${c.omitted === 1 ? '' : 's'}…, ` : '';
    const path = c.steps.map((s) => `${s.op.text} (p${s.op.process}) → ${s.state}`).join(', ');
    lines.push(`${lead} ${skipped}${path || '(none)'}. Then the state is ${c.state}, but ${a.op.text} ${c.reason.startsWith("can't") ? `fails: ${c.reason}` : c.reason}.`);
  });
  if (a.candidates.length > 0) lines.push('Every linearization the search found ends the same way: a contradiction.');
  if (a.concurrent.length > 0) {
    lines.push(`Concurrent with it: ${a.concurrent.map(nameOp).join('; ')}.`);
  }
  return lines.join('\n');
}

/** A whole result for the terminal: the verdict line, then each anomaly's explanation. */
export function explainResult(r: CheckResult): string {
  const verdict = r.valid === true ? 'linearizable' : r.valid === false ? 'NOT linearizable' : `unknown (${r.unknownReason ?? 'budget exhausted'})`;
  const keys = r.keys === 1 ? '1 key' : `${r.keys} keys`;
  const out = [`${verdict}: ${r.ops} ops, ${keys}, model ${r.model}, ${r.ms.toFixed(1)} ms`];
  for (const a of r.anomalies) out.push('', explainAnomaly(a));
  const unknown = r.partitions.filter((p) => p.valid === 'unknown' && p.unknownReason !== 'cancelled');
  for (const p of unknown.slice(0, 10)) {
    out.push(`key ${show(p.key ?? null)}: unknown (${p.unknownReason}) after exploring ${p.explored} configurations`);
  }
  return out.join('\n');
}
