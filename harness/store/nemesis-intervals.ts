import type { Op } from '../../checkers/history/op.js';
import { isClientProcess } from '../../checkers/history/op.js';

/** A fault that was in force from `start` to `stop` (the history's nanoseconds, so reports can lay ops over it). */
export interface NemesisInterval {
  /** The fault: `partition` for `start-partition`/`stop-partition`; the process (`nemesis`) for bare `start`/`stop`. */
  fault: string;
  /** The `f` of the op that started it. */
  f: string;
  start: number;
  stop: number;
  /** What was done, from the start ops (the last non-null value: a completion says more than its invocation). */
  value: unknown;
  /** Never stopped: `stop` is the end of the run. */
  unmatched?: true;
}

export interface IntervalOptions {
  /** Extra start/stop names to pair, beyond `start-X`/`stop-X` and `start`/`stop`, e.g. `[['kill', 'restart']]`. */
  pairs?: ReadonlyArray<readonly [start: string, stop: string]>;
  /** Where an unmatched start ends; the last op's time by default. */
  endTime?: number;
}

/**
 * Pairs the nemesis's start and stop ops (ops of non-client processes) into intervals.
 *
 * Jepsen's nemesis records each action twice, invocation then completion (`start, start, stop, stop`). Jepsen's
 * perf checker pairs them crosswise into two intervals; here the repeats fold into one interval per fault, from the
 * first start to the last stop of the run of stops, which is the span during which the fault may have been in
 * force. A stop with nothing to stop is ignored; a start never stopped lasts to the end of the run.
 */
export function nemesisIntervals(ops: Iterable<Op>, opts: IntervalOptions = {}): NemesisInterval[] {
  const starts = new Map<string, string>(); // start f → fault
  const stops = new Map<string, string>(); // stop f → fault
  for (const [start, stop] of opts.pairs ?? []) {
    starts.set(start, start);
    stops.set(stop, start);
  }
  const intervals: NemesisInterval[] = [];
  const open = new Map<string, NemesisInterval>();
  const lastClosed = new Map<string, NemesisInterval>();
  let end = -Infinity;

  for (const op of ops) {
    if (op.time > end) end = op.time;
    if (isClientProcess(op.process)) continue;
    const event = classify(op.f, starts, stops);
    if (event === undefined) continue;
    const fault = event.fault ?? String(op.process);
    const id = `${String(op.process)}\u0000${fault}`;
    const current = open.get(id);
    if (event.kind === 'start') {
      if (current !== undefined) {
        if (op.value !== null && op.value !== undefined) current.value = op.value;
        continue;
      }
      const interval: NemesisInterval = { fault, f: op.f, start: op.time, stop: op.time, value: op.value ?? null };
      intervals.push(interval);
      open.set(id, interval);
      lastClosed.delete(id);
    } else if (current !== undefined) {
      current.stop = op.time;
      open.delete(id);
      lastClosed.set(id, current);
    } else {
      // The completion of a stop already seen: the fault may have lasted until the stop finished.
      const prior = lastClosed.get(id);
      if (prior !== undefined) prior.stop = op.time;
    }
  }

  const runEnd = opts.endTime ?? end;
  for (const interval of open.values()) {
    interval.stop = Math.max(interval.start, runEnd);
    interval.unmatched = true;
  }
  return intervals;
}

function classify(
  f: string,
  starts: ReadonlyMap<string, string>,
  stops: ReadonlyMap<string, string>,
): { kind: 'start' | 'stop'; fault?: string } | undefined {
  const s = starts.get(f);
  if (s !== undefined) return { kind: 'start', fault: s };
  const t = stops.get(f);
  if (t !== undefined) return { kind: 'stop', fault: t };
  if (f === 'start') return { kind: 'start' };
  if (f === 'stop') return { kind: 'stop' };
  if (f.startsWith('start-') && f.length > 6) return { kind: 'start', fault: f.slice(6) };
  if (f.startsWith('stop-') && f.length > 5) return { kind: 'stop', fault: f.slice(5) };
  return undefined;
}
