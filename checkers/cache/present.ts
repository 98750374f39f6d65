import type { Op } from '../history/op.js';
import { presentLinearizable } from '../linearizability/present.js';
import type { Validity } from '../linearizability/result.js';
import { count, type Block, type OpMark, type Presentation, type PresentLimits } from '../presentation.js';
import { convergenceText, duration, explainCache, servedBy, staleText, valueWords } from './explain.js';
import { keyText } from './history.js';
import type { CacheFigures, CacheResult, Spread } from './result.js';

const kept = (v: Validity) => (v === true ? 'kept' : v === false ? 'broken' : 'unknown');
const yes = (v: Validity) => (v === true ? 'yes' : v === false ? 'NO' : 'unknown');
/** A latency: two decimals below 10 ms, whole ms below a second, then seconds. */
const ms = (x: number) => (x < 10 ? `${x.toFixed(2)} ms` : duration(x));
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The cache checker's verdict as the report shows it: which guarantees were kept, the stale reads with their age,
 * each key's convergence, the cache's figures, and, where the linearizability search refuted a key, its
 * counterexample view.
 */
export function presentCache(r: CacheResult, history: readonly Op[], limits: PresentLimits): Presentation {
  const noStale: Validity = r.staleReadCount === 0 ? true : false;
  const blocks: Block[] = [
    { kind: 'prose', text: explainCache(r) },
    {
      kind: 'table',
      title: 'Guarantees',
      columns: ['guarantee', 'verdict', 'how it is judged'],
      rows: [
        { cells: ['linearizable', kept(r.linearizable), 'reads and writes per key under the register model'], verdict: r.linearizable },
        { cells: ['no stale reads', kept(noStale), 'no read returned a value overwritten by a write acknowledged before it began'], verdict: noStale },
        { cells: ['converged', kept(r.converged), 'after the faults, each written key’s cache agreed with its database (settle)'], verdict: r.converged },
      ],
    },
  ];
  const listed = r.staleReads.slice(0, limits.items);
  if (r.staleReadCount > 0) {
    blocks.push({
      kind: 'list',
      id: 'staleReads',
      title: 'Stale reads',
      total: r.staleReadCount,
      bad: true,
      items: listed.map((s) => ({
        text: `${keyText(s.key)}: read ${valueWords(s.value)} when ${s.newer} was ${duration(s.ageMs)} old (${servedBy(s.hit)})`,
        where: `op ${s.read.invokeIndex}, process ${s.read.process}; ${s.newer} acknowledged at op ${s.newerWrite.completeIndex}`,
        links: [{ op: s.read.invokeIndex }, { op: s.newerWrite.invokeIndex, label: `write ${s.newer}` }, ...(s.write ? [{ op: s.write.invokeIndex, label: `write ${s.value}` }] : [])],
      })),
    });
  }
  if (r.convergence.length > 0) {
    blocks.push({
      kind: 'table',
      title: 'Convergence',
      columns: ['key', 'verdict', 'database', 'cache', 'stale for', 'settle'],
      rows: r.convergence.map((c) => {
        const v: Validity = c.status === 'converged' ? true : c.status === 'stale' ? false : 'unknown';
        const held = (x: number | null | undefined) => (x === undefined ? '' : x === null ? 'absent' : String(x));
        return {
          cells: [keyText(c.key), c.status, held(c.db), held(c.cache), c.staleMs === undefined ? '' : duration(c.staleMs), c.settle ? `op ${c.settle.invokeIndex}` : c.why ?? ''],
          verdict: v,
        };
      }),
    });
  }
  blocks.push({ kind: 'table', title: 'Figures', columns: ['figure', 'value', 'what'], rows: figureRows(r.figures) });
  // Keys the search refuted: Porcupine's counterexample view, as the linearizability checker draws it.
  const lin = r.linearizability.anomalies.length > 0 ? presentLinearizable(r.linearizability, history, limits) : undefined;
  for (const b of lin?.blocks ?? []) if (b.kind === 'linearization') blocks.push(b);

  const marks: OpMark[] = listed.map((s) => ({ op: s.read.invokeIndex, why: `read ${valueWords(s.value)} of ${keyText(s.key)}, ${duration(s.ageMs)} after ${s.newer} was acknowledged` }));
  for (const m of lin?.marks ?? []) if (!marks.some((x) => x.op === m.op)) marks.push(m);
  for (const c of r.convergence) if (c.status === 'stale' && c.settle) marks.push({ op: c.settle.invokeIndex, why: convergenceText(c) });
  const keep = [...new Set(listed.flatMap((s) => [s.newerWrite.invokeIndex, ...(s.write ? [s.write.invokeIndex] : [])]))];

  const stale = r.convergence.filter((c) => c.status === 'stale');
  const findings = [
    ...(r.staleReadCount > 0 ? [`${count(r.staleReadCount)} stale read${r.staleReadCount > 1 ? 's' : ''}`] : []),
    ...(r.linearizable === false && r.staleReadCount === 0 ? ['not linearizable'] : []),
    ...(stale.length > 0 ? [`${stale.map((c) => keyText(c.key)).join(', ')} did not converge`] : []),
  ];
  const first = listed[0] ? staleText(listed[0]) : stale[0] ? convergenceText(stale[0]) : r.linearizable === false ? explainCache(r).split('; ')[0] : undefined;
  return {
    title: 'Cache checker',
    facts: [
      ['linearizable', yes(r.linearizable)],
      ['converged', yes(r.converged)],
      ['hit ratio', r.figures.hitRatio === null ? 'unknown' : percent(r.figures.hitRatio)],
    ],
    findings,
    ...(findings.length > 0 && first !== undefined && { first: `First: ${first}.` }),
    blocks,
    marks,
    markLegend: 'stale read, op that cannot be linearized, or a key still stale at its settle',
    ...(keep.length > 0 && { keep }),
  };
}

function figureRows(f: CacheFigures): { cells: string[] }[] {
  const spread = (s: Spread | undefined) => (s ? `median ${ms(s.medianMs)}, p95 ${ms(s.p95Ms)}, max ${ms(s.maxMs)} (${count(s.count)})` : 'none');
  const ratio = f.hitRatio === null ? `unknown: ${f.unknownReason}` : `${percent(f.hitRatio)} (${count(f.hits)} of ${count(f.withHit)})`;
  const age = f.staleAge.count === 0 ? 'none' : `${count(f.staleAge.count)}: median ${duration(f.staleAge.medianMs!)}, max ${duration(f.staleAge.maxMs!)}`;
  return [
    { cells: ['hit ratio', ratio, 'ok reads served from the cache, of those that say'] },
    { cells: ['hit latency', f.hitRatio === null ? 'unknown' : spread(f.hitLatency), 'invocation to ok of reads the cache served'] },
    { cells: ['miss latency', f.hitRatio === null ? 'unknown' : spread(f.missLatency), 'invocation to ok of reads that went to the database'] },
    { cells: ['stale values served', age, 'how old each stale read’s value was (since the newer write’s ok)'] },
  ];
}

/** The cache checker's row in the terminal's table. */
export function summarizeCache(r: CacheResult): [string, string | number][] {
  return [
    ['linearizable', yes(r.linearizable)],
    ['stale reads', r.staleReadCount],
    ['hit ratio', r.figures.hitRatio === null ? 'unknown' : percent(r.figures.hitRatio)],
    ['converged', yes(r.converged)],
  ];
}
