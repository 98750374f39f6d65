import type { Key, Op } from '../../checkers/history/op.js';
import { EventHeap } from '../../harness/runtimes/sim/event-heap.js';
import { OBJECTS } from './objects.js';
import { Rng } from '../../harness/rng.js';

export interface SimOptions {
  /** A model name with a real object in OBJECTS (every model faultline knows). */
  model: string;
  /** Concurrent client slots; a crashed process is replaced in its slot by a fresh process id. */
  processes: number;
  /** Invocations to issue in total. */
  ops: number;
  /** When set, each op picks one of keys 0..keys-1 and each key is its own object (ignored by multi-register). */
  keys?: number;
  /** Probability that an op's completion is `info`. */
  crashRate: number;
  seed: number;
  /** Upper bound (ns) on each of invoke→linearization and linearization→completion. Default 1000. */
  maxLatency?: number;
  /** Upper bound (ns) on the pause between a process's completion and its next invocation. Default maxLatency/2. */
  maxThink?: number;
}

/** One operation in flight: what was invoked, and what the real object did with it. */
interface InFlight {
  process: number;
  slot: number;
  f: string;
  key?: Key;
  value: unknown;
  crashed: boolean;
  /** Set at the linearization point. */
  outcome?: { ok: boolean; value: unknown };
}

type Event =
  | { time: number; seq: number; kind: 'invoke'; slot: number; process: number }
  | { time: number; seq: number; kind: 'linearize' | 'complete'; op: InFlight };

/**
 * A discrete-event simulation of clients against a real atomic object. Every op is invoked, takes effect at a
 * linearization point strictly inside its [invoke, completion] interval (events are processed in time order, so
 * effects are applied in linearization order), then completes. The history is linearizable by construction.
 *
 * Crashes follow Jepsen: the completion is `info` (carrying the invocation's value), the effect happens with
 * probability 1/2 at some point after the invocation — possibly after the `info` itself, like a message still in
 * flight — and the process never issues again: its slot continues under a fresh process id.
 *
 * Yields ops lazily (index = position, strictly increasing times) so that huge histories can be streamed.
 */
export function* simulateEvents(o: SimOptions): Generator<Op> {
  const obj = OBJECTS[o.model];
  if (!obj) throw new Error(`no simulated object for model '${o.model}'`);
  const rng = new Rng(o.seed);
  const latency = Math.max(1, o.maxLatency ?? 1000);
  const think = o.maxThink ?? Math.floor(latency / 2);
  const keyed = obj.keyed && o.keys !== undefined;
  const states = new Map<Key | undefined, unknown>();
  const heap = new EventHeap<Event>();
  let seq = 0;
  let fresh = 0; // unique values (queue elements)
  let nextProcess = o.processes;
  let issued = 0;
  let index = 0;
  let lastTime = -1;

  const emit = (time: number, process: number, type: Op['type'], op: InFlight, value: unknown): Op => {
    // Several events may share a simulated instant; the history still gets strictly increasing times.
    lastTime = Math.max(time, lastTime + 1);
    // Field order index, time, process, type, f, key, value: how the JSONL format lists them.
    return op.key === undefined
      ? { index: index++, time: lastTime, process, type, f: op.f, value }
      : { index: index++, time: lastTime, process, type, f: op.f, key: op.key, value };
  };

  for (let slot = 0; slot < o.processes; slot++) {
    heap.push({ time: rng.int(latency), seq: seq++, kind: 'invoke', slot, process: slot });
  }

  for (let ev = heap.pop(); ev; ev = heap.pop()) {
    const t = ev.time;
    if (ev.kind === 'invoke') {
      if (issued >= o.ops) continue; // this slot is done; the heap drains what is still in flight
      issued++;
      const { f, value } = obj.invoke(rng, () => fresh++);
      const op: InFlight = { process: ev.process, slot: ev.slot, f, value, crashed: rng.chance(o.crashRate) };
      if (keyed) op.key = rng.int(o.keys!);
      yield emit(t, op.process, 'invoke', op, value);
      if (op.crashed) {
        heap.push({ time: t + 1 + rng.int(2 * latency), seq: seq++, kind: 'complete', op });
        if (rng.chance(0.5)) heap.push({ time: t + 1 + rng.int(2 * latency), seq: seq++, kind: 'linearize', op });
      } else {
        const at = t + 1 + rng.int(latency);
        heap.push({ time: at, seq: seq++, kind: 'linearize', op });
        heap.push({ time: at + 1 + rng.int(latency), seq: seq++, kind: 'complete', op });
      }
    } else if (ev.kind === 'linearize') {
      const op = ev.op;
      const state = states.has(op.key) ? states.get(op.key) : obj.init();
      const r = obj.apply(state, op.f, op.value, rng);
      if (r.ok) states.set(op.key, r.state);
      op.outcome = { ok: r.ok, value: r.value };
    } else {
      const op = ev.op;
      if (op.crashed) {
        yield emit(t, op.process, 'info', op, op.value);
      } else {
        const { ok, value } = op.outcome!; // linearized strictly earlier
        yield emit(t, op.process, ok ? 'ok' : 'fail', op, ok ? value : op.value);
      }
      const process = op.crashed ? nextProcess++ : op.process;
      heap.push({ time: t + rng.int(think + 1), seq: seq++, kind: 'invoke', slot: op.slot, process });
    }
  }
}

/** The whole simulated history as an array. */
export function simulate(o: SimOptions): Op[] {
  return [...simulateEvents(o)];
}

/** Models the simulator can drive. */
export const SIMULATED_MODELS: readonly string[] = Object.keys(OBJECTS);
