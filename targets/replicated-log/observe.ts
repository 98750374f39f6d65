import type { Observations } from '../../harness/observations.js';
import { Broker, type ChangeKind } from './broker.js';

/**
 * What the controller decided during the run, from the brokers' own counts: leader elections and ISR changes, so a
 * reader (and a test) can see that the faults did move leaders, and each partition's last epoch and ISR.
 */
export function observeLog(programs: ReadonlyMap<string, unknown>): Observations {
  const brokers = [...programs].filter((e): e is [string, Broker] => e[1] instanceof Broker);
  if (!brokers.length) return { figures: [] };
  const kinds: ChangeKind[] = ['election', 'shrink', 'expand'];
  const partitions = brokers[0][1].setup.settings.partitions;
  const latest = Array.from({ length: partitions }, (_, p) =>
    brokers.map(([, b]) => b.states.get(p)?.state).reduce((a, s) => (s && (!a || s.version > a.version) ? s : a), undefined),
  );
  return {
    figures: [
      {
        id: 'controller-changes',
        title: 'Changes won at the controller, per broker',
        caption: 'Leader elections (a follower of a silent leader took the next epoch), and ISR shrinks and expansions asked by leaders.',
        kind: 'bars',
        x: { label: 'broker', values: brokers.map(([id]) => id) },
        y: { label: 'changes' },
        series: kinds.map((k) => ({ name: k, values: brokers.map(([, b]) => b.won[k]) })),
      },
    ],
    notes: latest.map((s, p) => (s ? `partition ${p}: leader ${s.leader} in epoch ${s.epoch}, ISR ${s.isr.join(',')}` : `partition ${p}: never created`)),
  };
}
