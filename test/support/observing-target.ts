/**
 * A test-only target that observes: kv-single's node, wrapped to count what it receives per key and per f, with an
 * `observe` that draws those counts as one figure of each kind (bars, lines, table) and a note. Registered as a
 * user's plugin would be, so the run goes through the same doors as sharded-kv's will.
 */
import type { Op } from '../../checkers/history/op.js';
import type { NodeProgram } from '../../harness/node.js';
import type { Observations } from '../../harness/observations.js';
import type { Registry } from '../../harness/registry.js';
import { registryWith } from '../../harness/plugins.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { kvSingle } from '../../targets/kv-single/sim.js';

/** What the wrapped node keeps: requests received per key. */
export interface CountingProgram extends NodeProgram {
  readonly received: Map<string, number>;
}

function countingNode(inner: SimTarget['node']): SimTarget['node'] {
  return (bug, options) => {
    const factory = inner(bug, options);
    return (ctx) => {
      const program = factory(ctx);
      const received = new Map<string, number>();
      return {
        received,
        receive(from, msg) {
          const key = String((msg as { op?: { key?: unknown } }).op?.key);
          received.set(key, (received.get(key) ?? 0) + 1);
          program.receive(from, msg);
        },
      } satisfies CountingProgram;
    };
  };
}

/** The figures the observing target draws from its programs and the history: keys × requests, ops per second, a table. */
export function countsObserved(programs: ReadonlyMap<string, unknown>, history: readonly Op[], nodes: readonly string[]): Observations {
  const counts = new Map<string, number>();
  for (const n of nodes) for (const [k, c] of (programs.get(n) as CountingProgram | undefined)?.received ?? []) counts.set(k, (counts.get(k) ?? 0) + c);
  const keys = [...counts.keys()].sort();
  const oks = history.filter((o) => o.type === 'ok' && typeof o.process === 'number');
  const seconds = Math.max(1, Math.ceil((history.at(-1)?.time ?? 0) / 1e9));
  const perSecond = (f: string) => Array.from({ length: seconds }, (_, s) => oks.filter((o) => o.f === f && Math.floor(o.time / 1e9) === s).length);
  const acknowledged = (k: string) => oks.filter((o) => String(o.key) === k).length;
  const mean = keys.length ? [...counts.values()].reduce((a, b) => a + b, 0) / keys.length : 0;
  return {
    notes: [`${keys.length} keys received ${[...counts.values()].reduce((a, b) => a + b, 0)} requests`],
    figures: [
      {
        id: 'requests-per-key',
        title: 'Requests per key',
        caption: 'What the node received for each key, beside the ops the clients saw acknowledged; the dashed line is the mean received.',
        kind: 'bars',
        x: { label: 'key', values: keys },
        y: { label: 'requests' },
        series: [
          { name: 'received', values: keys.map((k) => counts.get(k)!) },
          { name: 'acknowledged', values: keys.map(acknowledged) },
        ],
        marks: [{ label: 'mean', value: mean }],
      },
      {
        id: 'ok-per-second',
        title: 'Acknowledged ops per second',
        kind: 'lines',
        x: { label: 'second', values: Array.from({ length: seconds }, (_, s) => s) },
        y: { label: 'ops' },
        series: ['read', 'write', 'cas'].map((f) => ({ name: f, values: perSecond(f) })),
        spans: [{ label: 'first second', start: 0, end: 1 }],
      },
      {
        id: 'requests-table',
        title: 'Requests per key, as a table',
        kind: 'table',
        x: { label: 'key', values: keys },
        y: { label: 'requests' },
        series: [{ name: 'received', values: keys.map((k) => counts.get(k)!) }],
      },
    ],
  };
}

/** kv-single, counting, with the given `observe` (the figures above unless told otherwise). */
export function observingTarget(name: string, observe: NonNullable<SimTarget['observe']> = countsObserved): SimTarget {
  return { ...kvSingle, name, description: `${kvSingle.description}, observed (tests)`, node: countingNode(kvSingle.node), observe };
}

/** faultline's registry plus the observing targets, registered as a plugin's. */
export async function observingRegistry(targets: readonly SimTarget[]): Promise<Registry> {
  return (await registryWith([])).use({ name: 'test-observing', simTargets: targets });
}
