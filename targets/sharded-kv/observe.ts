import type { Op } from '../../checkers/history/op.js';
import { isClientProcess } from '../../checkers/history/op.js';
import type { Figure, Observations } from '../../harness/observations.js';
import { nemesisIntervals, type NemesisInterval } from '../../harness/store/nemesis-intervals.js';
import type { Balancer } from './balancer.js';
import type { ShardEvent } from './journal.js';
import { keysPerMember, movement, type Placement } from './ring.js';

/** The key space the ring's balance and movement are measured over (the workload's few keys say little about it). */
export const SAMPLE_KEYS = 10_000;
/** A suspicion that ends within this long after a fault on its peer still counts as that fault's (heartbeats resume). */
const GRACE_MS = 1000;

/** What the cluster's shards and routers saw, gathered at the end of a run. */
export interface ShardAccounts {
  /** Every shard (members and spares). */
  shards: readonly string[];
  /** Each observer's journal (journal.ts): every shard's in the simulation, faultline's director's in Docker. */
  journals: ReadonlyMap<string, readonly ShardEvent[]>;
  placement: Placement;
  replication: number;
  balancer?: Balancer;
}

const pct = (x: number) => Math.round(x * 1000) / 10;
const sampleKeys = Array.from({ length: SAMPLE_KEYS }, (_, i) => i);

/**
 * The report's figures for a sharded-kv run: the ring's balance and the keys moved by each membership change (over
 * 10,000 sample keys, against the ideal K/n), the failure detector's suspicions against the faults that were in
 * force, and the load each shard took under the run's balancing strategy.
 */
export function observeShards(accounts: ShardAccounts, history: readonly Op[]): Observations {
  const { journals, placement, replication, shards } = accounts;
  const changes = epochChanges(journals);
  const figures: Figure[] = [];
  const notes: string[] = [];
  const final = changes.at(-1);
  if (final) {
    const { figure, note } = balanceFigure(final.members, placement, replication, history);
    figures.push(figure);
    notes.push(note);
  }
  const moves = changes.filter((c) => c.from !== undefined);
  if (moves.length > 0) figures.push(movesFigure(moves, placement, replication));
  const detector = detectorFigures(journals, shards, history);
  figures.push(...detector.figures);
  notes.push(...detector.notes);
  if (accounts.balancer && accounts.balancer.load.size > 0) figures.push(loadFigure(accounts.balancer));
  return { figures, notes };
}

interface Change {
  epoch: number;
  members: readonly string[];
  from?: readonly string[];
  at: number;
  moved?: number;
  keys?: number;
}

/** Every configuration decided, from the shards' journals: when it was first seen, and its hand-off's figures. */
function epochChanges(journals: ReadonlyMap<string, readonly ShardEvent[]>): Change[] {
  const byEpoch = new Map<number, Change>();
  for (const events of journals.values()) {
    let previous: readonly string[] | undefined;
    for (const e of events) {
      if (e.kind === 'epoch') {
        const c = byEpoch.get(e.epoch);
        if (!c) byEpoch.set(e.epoch, { epoch: e.epoch, members: e.members, at: e.t, ...(e.epoch > 1 && previous ? { from: previous } : {}) });
        else c.at = Math.min(c.at, e.t);
        if (!e.moving) previous = e.members;
      } else if (e.kind === 'handoff') {
        const c = byEpoch.get(e.epoch) ?? { epoch: e.epoch, members: e.members, at: e.t };
        byEpoch.set(e.epoch, { ...c, from: e.from, moved: e.moved, keys: e.keys });
      }
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function balanceFigure(members: readonly string[], placement: Placement, replication: number, history: readonly Op[]) {
  const sample = keysPerMember(placement, members, sampleKeys, 1);
  const runKeys = [...new Set(history.filter((o) => isClientProcess(o.process) && o.key !== undefined).map((o) => JSON.stringify(o.key)))].map((k) => JSON.parse(k) as unknown);
  const workload = keysPerMember(placement, members, runKeys, 1);
  const counts = members.map((m) => sample.get(m) ?? 0);
  const mean = SAMPLE_KEYS / members.length;
  const max = Math.max(...counts);
  const figure: Figure = {
    id: 'ring-balance',
    title: 'Keys per shard in the final ring',
    caption: `Each shard's share of ${SAMPLE_KEYS.toLocaleString('en')} sample keys and of the workload's ${runKeys.length} keys, as primary (placement ${placement.name}, replication ${replication}). The dashed line is the ideal share, 1/n.`,
    kind: 'bars',
    x: { label: 'shard', values: [...members] },
    y: { label: '% of keys' },
    series: [
      { name: `${SAMPLE_KEYS.toLocaleString('en')} sample keys`, values: counts.map((c) => pct(c / SAMPLE_KEYS)) },
      { name: `workload keys (${runKeys.length})`, values: members.map((m) => (runKeys.length ? pct((workload.get(m) ?? 0) / runKeys.length) : null)) },
    ],
    marks: [{ label: `ideal 1/${members.length}`, value: pct(1 / members.length) }],
  };
  return { figure, note: `Ring balance: the busiest of ${members.length} shards holds ${(max / mean).toFixed(2)}× the mean of ${SAMPLE_KEYS.toLocaleString('en')} sample keys (placement ${placement.name}).` };
}

const describeChange = (c: Change) => {
  const joined = c.members.filter((m) => !c.from!.includes(m));
  const left = c.from!.filter((m) => !c.members.includes(m));
  return `epoch ${c.epoch}: ${[...joined.map((m) => `+${m}`), ...left.map((m) => `−${m}`)].join(' ') || 'same'}`;
};

function movesFigure(moves: Change[], placement: Placement, replication: number): Figure {
  const moved = moves.map((c) => movement(placement, c.from!, c.members, sampleKeys, replication));
  return {
    id: 'ring-moves',
    title: 'Keys moved by each membership change',
    caption: `The share of ${SAMPLE_KEYS.toLocaleString('en')} sample keys whose ${replication === 1 ? 'owner' : 'owners'} changed at each epoch, against the ideal K/n consistent hashing promises for one shard joining or leaving (n the larger membership); and the share of the workload's keys the hand-off actually moved.`,
    kind: 'bars',
    x: { label: 'membership change', values: moves.map(describeChange) },
    y: { label: '% of keys' },
    series: [
      { name: 'sample keys moved', values: moved.map((m) => pct((replication === 1 ? m.primaryMoved : m.ownersChanged) / m.keys)) },
      { name: 'ideal K/n', values: moved.map((m) => pct((m.ideal * (replication === 1 ? 1 : replication)) / m.keys)) },
      { name: 'workload keys handed off', values: moves.map((c) => (c.keys ? pct((c.moved ?? 0) / c.keys) : null)) },
    ],
  };
}

/** How a fault bears on a heartbeat from `peer` to `observer`. */
type Cause = 'crash' | 'unreachable' | 'slow';

function causeOf(f: NemesisInterval, observer: string, peer: string): Cause | undefined {
  const v = f.value as Record<string, unknown> | string[] | null;
  const nodes = Array.isArray(v) ? v : Array.isArray(v?.nodes) ? (v.nodes as string[]) : [];
  switch (f.fault) {
    case 'kill':
    case 'crash-loop':
      return nodes.includes(peer) ? 'crash' : undefined;
    case 'pause':
      // A paused observer, resumed, has heard from nobody for the whole pause: it suspects them all.
      return nodes.includes(peer) || nodes.includes(observer) ? 'unreachable' : undefined;
    case 'partition': {
      const grudge = (v ?? {}) as Record<string, string[]>;
      return Array.isArray(grudge[observer]) && grudge[observer].includes(peer) ? 'unreachable' : undefined;
    }
    case 'latency':
    case 'loss':
      return nodes.includes(peer) || nodes.includes(observer) ? 'slow' : undefined;
    default:
      return undefined;
  }
}

function detectorFigures(journals: ReadonlyMap<string, readonly ShardEvent[]>, shards: readonly string[], history: readonly Op[]): { figures: Figure[]; notes: string[] } {
  const faults = nemesisIntervals(history).map((f) => ({ ...f, startMs: f.start / 1e6, stopMs: f.stop / 1e6 }));
  const endMs = (history.at(-1)?.time ?? 0) / 1e6;
  const suspicions: { observer: string; peer: string; start: number; end: number }[] = [];
  for (const [observer, events] of journals) {
    const open = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'suspect') open.set(e.peer, e.t);
      else if (e.kind === 'trust' && open.has(e.peer)) {
        suspicions.push({ observer, peer: e.peer, start: open.get(e.peer)!, end: e.t });
        open.delete(e.peer);
      } else if (e.kind === 'boot') {
        // A restart: what this shard suspected in its last life ended with it (at the latest, now).
        for (const [peer, start] of open) suspicions.push({ observer, peer, start, end: e.t });
        open.clear();
      }
    }
    for (const [peer, start] of open) suspicions.push({ observer, peer, start, end: endMs });
  }
  const counts = { crash: 0, unreachable: 0, slow: 0, none: 0 };
  for (const s of suspicions) {
    const causes = faults
      .filter((f) => f.startMs <= s.end && s.start <= f.stopMs + GRACE_MS)
      .map((f) => causeOf(f, s.observer, s.peer))
      .filter((c): c is Cause => c !== undefined);
    const cause = causes.includes('crash') ? 'crash' : causes.includes('unreachable') ? 'unreachable' : causes.includes('slow') ? 'slow' : 'none';
    counts[cause]++;
  }
  const falseOnes = counts.slow + counts.none;
  // Detection delay: from a kill or a pause of a shard to the first suspicion of it by any other shard.
  const delays: number[] = [];
  for (const f of faults.filter((x) => x.fault === 'kill' || x.fault === 'pause')) {
    const nodes = (Array.isArray(f.value) ? f.value : []) as string[];
    for (const n of nodes.filter((x) => shards.includes(x))) {
      const first = suspicions.filter((s) => s.peer === n && s.start >= f.startMs && s.start <= f.stopMs).map((s) => s.start - f.startMs);
      if (first.length) delays.push(Math.min(...first));
    }
  }
  const latencyMs = faults.filter((f) => f.fault === 'latency').reduce((t, f) => t + (f.stopMs - f.startMs), 0);
  const underLatency = suspicions.filter((s) => faults.some((f) => f.fault === 'latency' && f.startMs <= s.start && s.start <= f.stopMs)).length;
  const notes = [
    `Failure detector: ${suspicions.length} suspicions — ${counts.crash} of a crashed shard, ${counts.unreachable} while one of the two was paused or cut off from the other, ${falseOnes} false (a running, reachable shard${counts.slow ? `, ${counts.slow} of them under latency or loss` : ''}).`,
    delays.length
      ? `Detection delay after a kill or pause: mean ${Math.round(delays.reduce((a, b) => a + b, 0) / delays.length)} ms, max ${Math.round(Math.max(...delays))} ms over ${delays.length} faulted shards.`
      : 'Detection delay: no kill or pause of a shard was suspected (or none happened).',
    ...(latencyMs > 0 ? [`Under the latency fault: ${underLatency} suspicions began in ${(latencyMs / 1000).toFixed(1)} s of it (${((underLatency / latencyMs) * 60_000).toFixed(1)} a minute).`] : []),
  ];
  // Suspicions over time: how many shards suspect each one, sampled every 100 ms, with the faults shaded.
  const step = 100;
  const xs = Array.from({ length: Math.floor(endMs / step) + 1 }, (_, i) => i * step);
  const timeline: Figure = {
    id: 'detector-suspicions',
    title: 'Failure detector: suspicions over time',
    caption: `For each shard, how many ${journals.size === 1 ? 'detectors' : 'other shards'} suspected it (phi accrual; a time-out of 250 ms in the eager-detector bug), with the faults in force shaded.`,
    kind: 'lines',
    x: { label: 'time (s)', values: xs.map((x) => x / 1000) },
    y: { label: 'shards suspecting it' },
    series: shards.map((peer) => ({
      name: peer,
      values: xs.map((t) => suspicions.filter((s) => s.peer === peer && s.start <= t && t < s.end).length),
    })),
    spans: faults
      .filter((f) => f.fault !== 'membership')
      .map((f) => ({ label: `${f.fault} ${spanNodes(f)}`.trim(), start: f.startMs / 1000, end: f.stopMs / 1000 })),
  };
  const table: Figure = {
    id: 'detector-score',
    title: 'Failure detector: suspicions against the faults',
    caption: 'Every suspicion, by what the suspected shard was going through: crashed (kill, crash-loop), unreachable from the suspecting shard (either of them paused, or a partition between them), or running and reachable (false: under latency or loss, or with no fault at all).',
    kind: 'table',
    x: { label: 'suspected shard was', values: ['crashed', 'paused or cut off (either end)', 'slowed (latency, loss): false', 'running, no fault: false'] },
    y: { label: 'suspicions' },
    series: [{ name: 'suspicions', values: [counts.crash, counts.unreachable, counts.slow, counts.none] }],
  };
  return { figures: [timeline, table], notes };
}

function spanNodes(f: NemesisInterval): string {
  const v = f.value as Record<string, unknown> | string[] | null;
  if (Array.isArray(v)) return v.join(' ');
  if (v && Array.isArray(v.nodes)) return (v.nodes as string[]).join(' ');
  return '';
}

function loadFigure(b: Balancer): Figure {
  const nodes = [...b.load.keys()].sort((a, c) => a.localeCompare(c, 'en', { numeric: true }));
  const total = [...b.load.values()].reduce((a, c) => a + c, 0);
  return {
    id: 'load',
    title: 'Load per shard',
    caption: `Requests the routers sent each shard (${total} in all; reads to the owner the ${b.strategy} balancer picked, writes and cas to the key's primary). The dashed line is an even share.`,
    kind: 'bars',
    x: { label: 'shard', values: nodes },
    y: { label: 'requests' },
    series: [{ name: `${b.strategy}`, values: nodes.map((n) => b.load.get(n) ?? 0) }],
    marks: [{ label: 'even share', value: Math.round(total / nodes.length) }],
  };
}
