import type { Op } from '../../checkers/history/op.js';

/**
 * Shrinks a history that shows a problem (say, checker and oracle disagree) to a locally minimal one that still
 * does: greedily drops whole operations, then single completions (the op becomes pending), until neither helps.
 * fast-check already shrinks the simulator's parameters; this goes further, below what the simulator can produce,
 * so that a report shows only the ops that matter.
 */
export function shrinkHistory(history: readonly Op[], stillFails: (h: Op[]) => boolean): Op[] {
  let h = renumber([...history]);
  for (let progress = true; progress; ) {
    progress = false;
    for (const candidate of [...dropOps(h), ...dropCompletions(h)]) {
      if (stillFails(candidate)) {
        h = candidate;
        progress = true;
        break;
      }
    }
  }
  return h;
}

function* dropOps(h: Op[]): Generator<Op[]> {
  for (let i = 0; i < h.length; i++) {
    if (h[i].type !== 'invoke') continue;
    const done = h.findIndex((e, j) => j > i && e.process === h[i].process);
    yield renumber(h.filter((_, j) => j !== i && j !== done));
  }
}

/** Only a process's last completion: an earlier one would leave it invoking while pending (ill-formed). */
function* dropCompletions(h: Op[]): Generator<Op[]> {
  for (let i = 0; i < h.length; i++) {
    const last = h.slice(i + 1).every((e) => e.process !== h[i].process);
    if (h[i].type !== 'invoke' && last) yield renumber(h.filter((_, j) => j !== i));
  }
}

/** index = position and time = 10 × position: the order is all that matters, and small numbers read well. */
function renumber(h: Op[]): Op[] {
  return h.map((e, i) => ({ ...e, index: i, time: 10 * i }));
}
