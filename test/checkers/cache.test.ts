import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCache, explainCache, presentCache, summarizeCache, type CacheResult } from '../../checkers/cache/index.js';
import { linearizableVerdict } from '../../checkers/cache/check.js';
import { isInputError } from '../../checkers/errors.js';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { PRESENT_LIMITS, type Block } from '../../checkers/presentation.js';
import { Rng } from '../../harness/rng.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { ops } from '../support/dsl.js';

/**
 * A history from timed DSL lines: [ms, line, extra keys of the op (a read's hit)]. Times matter here: a stale read's
 * age, and the latencies of hits and misses, are read from them.
 */
function history(rows: readonly [number, string, Record<string, unknown>?][]): Op[] {
  const h = ops(rows.map((r) => r[1]).join('\n'));
  rows.forEach(([ms, , extra], i) => Object.assign(h[i], { time: ms * 1e6 }, extra));
  return h;
}
const settled = (db: number | null, cache: number | null, converged: boolean, staleMs: number) => JSON.stringify({ db, cache, converged, staleMs });
const HIT = { hit: true };
const MISS = { hit: false };

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => join(root, 'test/fixtures/histories', name);
function faultline(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/faultline.js'), ...args], { encoding: 'utf8', cwd: root, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const blocksOf = <K extends Block['kind']>(r: CacheResult, h: Op[], kind: K) =>
  presentCache(r, h, PRESENT_LIMITS).blocks.filter((b): b is Extract<Block, { kind: K }> => b.kind === kind);

describe('checkers: cache', () => {
  it('a cache that serves hits and misses of the latest value keeps every guarantee', async () => {
    const h = history([
      [0, '0 invoke write 1 @k0'],
      [2, '0 ok write 1 @k0'],
      [3, '1 invoke read nil @k0'],
      [13, '1 ok read 1 @k0', MISS],
      [14, '1 invoke read nil @k0'],
      [15, '1 ok read 1 @k0', HIT],
      [16, '2 invoke read nil @k1'],
      [20, '2 ok read nil @k1', MISS],
      [21, '0 invoke write 2 @k0'],
      [25, '0 ok write 2 @k0'],
      [26, '1 invoke read nil @k0'],
      [27, '1 ok read 2 @k0', HIT],
      [30, '0 invoke settle nil @k0'],
      [40, `0 ok settle ${settled(2, 2, true, 0)} @k0`],
      [41, '0 invoke settle nil @k1'],
      [42, `0 ok settle ${settled(null, null, true, 0)} @k1`],
    ]);
    const r = await checkCache(h);
    assert.equal(r.checker, 'cache');
    assert.deepEqual([r.valid, r.linearizable, r.converged, r.staleReadCount, r.ops], [true, true, true, 0, 8]);
    assert.equal(r.linearizability.model, 'register');
    assert.equal(r.linearizability.keys, 2, 'checked per key');
    assert.deepEqual(
      r.convergence.map((c) => [c.key, c.status, c.db, c.cache]),
      [
        ['k0', 'converged', 2, 2],
        ['k1', 'converged', null, null],
      ],
    );
    assert.equal(r.figures.hitRatio, 2 / 4);
    assert.equal(explainCache(r), 'linearizable: every read and write of the 2 keys fits one order of a register per key; converged: every key agreed at once.');
    const p = presentCache(r, h, PRESENT_LIMITS);
    assert.deepEqual(p.findings, []);
    assert.deepEqual(p.marks, []);
    const guarantees = blocksOf(r, h, 'table').find((t) => t.title === 'Guarantees')!;
    assert.deepEqual(guarantees.rows.map((row) => [row.cells[0], row.cells[1]]), [['linearizable', 'kept'], ['no stale reads', 'kept'], ['converged', 'kept']]);
  });

  it('reads concurrent with a write may return the value before it: the ops keep their order in the history (no false alarm)', async () => {
    // From a Docker run of the correct mode (leases): write 18 was in flight while three hits served 16, and write 19
    // began before write 18 ended. Checked with each invocation paired to its completion out of the history's order,
    // the reads looked as if they followed write 18, and the history was called not linearizable.
    const h = history([
      [0, '1 invoke write 16 @k2'],
      [60, '1 ok write 16 @k2'],
      [70, '4 invoke read nil @k2'],
      [71, '3 invoke write 18 @k2'],
      [80, '4 ok read 16 @k2', HIT],
      [81, '2 invoke read nil @k2'],
      [82, '2 ok read 16 @k2', HIT],
      [83, '2 invoke write 19 @k2'],
      [130, '3 ok write 18 @k2'],
      [180, '2 ok write 19 @k2'],
      [181, '4 invoke read nil @k2'],
      [230, '4 ok read 19 @k2', MISS],
    ]);
    const r = await checkCache(h);
    // (No settle here: convergence is unknown, and the verdict with it; linearizability is what this is about.)
    assert.deepEqual([r.linearizable, r.staleReadCount], [true, 0], explainCache(r));
    // The same history with write 18 acknowledged before the second read began: that read is stale, and caught.
    const late = history([
      [0, '1 invoke write 16 @k2'],
      [60, '1 ok write 16 @k2'],
      [71, '3 invoke write 18 @k2'],
      [75, '3 ok write 18 @k2'],
      [81, '2 invoke read nil @k2'],
      [82, '2 ok read 16 @k2', HIT],
    ]);
    const bad = await checkCache(late);
    assert.deepEqual([bad.valid, bad.linearizable, bad.staleReadCount], [false, false, 1]);
  });

  it('the fill race: a miss fills the cache with the old value after a write was acknowledged; a later hit serves it (stale, with its age)', async () => {
    const h = history([
      [0, '0 invoke write 12 @k1'],
      [2, '0 ok write 12 @k1'],
      // A miss reads 12 from the database and stalls before filling the cache…
      [3, '1 invoke read nil @k1'],
      // …while 15 is written and the cache invalidated; then the fill puts 12 back.
      [4, '0 invoke write 15 @k1'],
      [10, '0 ok write 15 @k1'],
      [12, '1 ok read 12 @k1', MISS],
      [350, '2 invoke read nil @k1'],
      [351, '2 ok read 12 @k1', HIT],
      [400, '0 invoke settle nil @k1'],
      [1700, `0 ok settle ${settled(15, null, true, 1200)} @k1`],
    ]);
    const r = await checkCache(h);
    assert.equal(r.valid, false);
    assert.equal(r.linearizable, false);
    assert.equal(r.linearizability.valid, false, 'the linearizability checker refutes it too');
    assert.equal(r.converged, true);
    assert.equal(r.maxStaleMs, 1200);
    // The miss that returned 12 was concurrent with the write of 15: not stale. The hit 340 ms after 15's ok is.
    assert.equal(r.staleReadCount, 1);
    const s = r.staleReads[0];
    assert.deepEqual([s.key, s.read.invokeIndex, s.value, s.newer, s.newerWrite.invokeIndex, s.write?.invokeIndex, s.ageMs, s.hit], ['k1', 6, 12, 15, 3, 0, 340, true]);
    assert.equal(
      explainCache(r),
      'not linearizable: read of k1 at op 6 returned 12, but 15 was written and acknowledged 340 ms before it began (served from the cache); converged: every key agreed within 1.2 s.',
    );
    assert.deepEqual([r.figures.staleAge.count, r.figures.staleAge.medianMs, r.figures.staleAge.maxMs], [1, 340, 340]);
    const p = presentCache(r, h, PRESENT_LIMITS);
    assert.deepEqual(p.findings, ['1 stale read']);
    assert.match(p.first!, /^First: read of k1 at op 6 returned 12/);
    assert.ok(p.marks.some((m) => m.op === 6), 'the stale read is marked');
    assert.deepEqual(p.keep?.sort(), [0, 3], 'the writes the evidence rests on are kept');
    const guarantees = blocksOf(r, h, 'table').find((t) => t.title === 'Guarantees')!;
    assert.deepEqual(guarantees.rows.map((row) => row.cells[1]), ['broken', 'broken', 'kept']);
    const stale = blocksOf(r, h, 'list').find((l) => l.id === 'staleReads')!;
    assert.equal(stale.total, 1);
    assert.match(stale.items[0].text, /^k1: read 12 when 15 was 340 ms old \(served from the cache\)$/);
    assert.equal(blocksOf(r, h, 'linearization').length, 1, "the search's counterexample is shown too");
  });

  it('a read of nothing after an acknowledged write is stale from that write (a miss that found the database empty, cached)', async () => {
    const h = history([
      [0, '0 invoke write 7 @k3'],
      [5, '0 ok write 7 @k3'],
      [25, '1 invoke read nil @k3'],
      [26, '1 ok read nil @k3', HIT],
    ]);
    const r = await checkCache(h);
    assert.equal(r.linearizable, false);
    assert.deepEqual(r.staleReads.map((s) => [s.value, s.newer, s.ageMs, s.write]), [[null, 7, 20, undefined]]);
    assert.match(explainCache(r), /^not linearizable: read of k3 at op 2 returned nothing \(as if never written\), but 7 was written and acknowledged 20 ms before it began \(served from the cache\); convergence unknown: k3 was written but never settled/);
    assert.equal(r.valid, false);
  });

  it('the age is from the first write that made the value stale, not the last', async () => {
    const h = history([
      [0, '0 invoke write 1 @k0'],
      [1, '0 ok write 1 @k0'],
      [10, '0 invoke write 2 @k0'],
      [20, '0 ok write 2 @k0'],
      [30, '0 invoke write 3 @k0'],
      [40, '0 ok write 3 @k0'],
      [100, '1 invoke read nil @k0'],
      [101, '1 ok read 1 @k0'],
    ]);
    const r = await checkCache(h);
    assert.deepEqual(r.staleReads.map((s) => [s.newer, s.ageMs, s.hit]), [[2, 80, undefined]]);
    assert.match(explainCache(r), /\(the client did not say whether the cache served it\)/);
  });

  it('a cache still stale at its settle breaks convergence even when every read was fine', async () => {
    const h = history([
      [0, '0 invoke write 12 @k2'],
      [1, '0 ok write 12 @k2'],
      [2, '0 invoke write 15 @k2'],
      [3, '0 ok write 15 @k2'],
      [4, '1 invoke read nil @k2'],
      [5, '1 ok read 15 @k2', MISS],
      [6, '0 invoke write 20 @k0'],
      [7, '0 ok write 20 @k0'],
      [10, '0 invoke settle nil @k0'],
      [11, `0 ok settle ${settled(20, null, true, 300)} @k0`],
      [12, '0 invoke settle nil @k2'],
      [5012, `0 ok settle ${settled(15, 12, false, 5000)} @k2`],
    ]);
    const r = await checkCache(h);
    assert.deepEqual([r.valid, r.linearizable, r.converged, r.staleReadCount], [false, true, false, 0]);
    assert.equal(r.maxStaleMs, 300, 'the converged keys’ longest');
    assert.deepEqual(
      r.convergence.map((c) => [c.key, c.status, c.staleMs]),
      [
        ['k0', 'converged', 300],
        ['k2', 'stale', 5000],
      ],
    );
    assert.match(explainCache(r), /; did not converge: k2's cache holds 12, the database 15, still stale after 5\.0 s\.$/);
    const p = presentCache(r, h, PRESENT_LIMITS);
    assert.deepEqual(p.findings, ['k2 did not converge']);
    assert.ok(p.marks.some((m) => m.op === 10), 'the settle that found it stale is marked');
    const conv = blocksOf(r, h, 'table').find((t) => t.title === 'Convergence')!;
    assert.deepEqual(conv.rows.map((row) => [row.cells.slice(0, 5), row.verdict]), [
      [['k0', 'converged', '20', 'absent', '300 ms'], true],
      [['k2', 'stale', '15', '12', '5.0 s'], false],
    ]);
    assert.deepEqual(summarizeCache(r), [
      ['linearizable', 'yes'],
      ['stale reads', 0],
      ['hit ratio', '0.0%'],
      ['converged', 'NO'],
    ]);
  });

  it('a written key whose settle failed or crashed is unknown for convergence, unless another key did not converge', async () => {
    const base: [number, string, Record<string, unknown>?][] = [
      [0, '0 invoke write 1 @k0'],
      [1, '0 ok write 1 @k0'],
      [2, '0 invoke write 2 @k1'],
      [3, '0 ok write 2 @k1'],
      // k2 is only read: it needs no settle.
      [4, '1 invoke read nil @k2'],
      [5, '1 ok read nil @k2'],
      [6, '0 invoke settle nil @k0'],
      [7, '0 fail settle nil @k0'],
    ];
    const unknown = await checkCache(history([...base, [8, '0 invoke settle nil @k1'], [9, `0 ok settle ${settled(2, null, true, 0)} @k1`]]));
    assert.deepEqual([unknown.valid, unknown.converged, unknown.linearizable], ['unknown', 'unknown', true]);
    assert.match(unknown.unknownReason!, /^k0's settle failed/);
    assert.deepEqual(unknown.convergence.map((c) => [c.key, c.status]), [['k0', 'unknown'], ['k1', 'converged']]);
    const crashed = await checkCache(history([...base.slice(0, 6), [6, '0 invoke settle nil @k0'], [7, '0 info settle nil @k0']]));
    assert.equal(crashed.converged, 'unknown');
    assert.match(crashed.unknownReason!, /^k0's settle's outcome is unknown \(info\)/);
    assert.match(explainCache(crashed), /convergence unknown: k0's settle's outcome is unknown \(info\); k1 was written but never settled/);
    const broken = await checkCache(history([...base, [8, '0 invoke settle nil @k1'], [9, `0 ok settle ${settled(2, 1, false, 5000)} @k1`]]));
    assert.deepEqual([broken.valid, broken.converged], [false, false]);
  });

  it('an info write makes later reads ambiguous: either value is fine (no false alarm)', async () => {
    const h = history([
      [0, '0 invoke write 1 @k0'],
      [1, '0 ok write 1 @k0'],
      [2, '1 invoke write 2 @k0'],
      [3, '1 info write 2 @k0'],
      [10, '2 invoke read nil @k0'],
      [11, '2 ok read 1 @k0', HIT],
      [20, '2 invoke read nil @k0'],
      [21, '2 ok read 2 @k0', MISS],
      [30, '3 invoke settle nil @k0'],
      [31, `3 ok settle ${settled(2, 2, true, 0)} @k0`],
    ]);
    const r = await checkCache(h);
    assert.deepEqual([r.valid, r.linearizable, r.staleReadCount, r.converged], [true, true, 0, true]);
  });

  it('an info write never overwrites for certain, and a failed read judges nothing', async () => {
    const rows: [number, string, Record<string, unknown>?][] = [
      [0, '0 invoke write 1 @k0'],
      [1, '0 ok write 1 @k0'],
      [2, '1 invoke write 2 @k0'],
      [3, '1 info write 2 @k0'],
      [10, '2 invoke read nil @k0'],
      [11, '2 ok read 2 @k0'],
      [20, '2 invoke read nil @k0'],
      [21, '2 fail read nil @k0'],
    ];
    const r = await checkCache(history(rows));
    assert.equal(r.linearizable, true);
    // The crashed write's value was read, so reading 1 afterwards is not linearizable; yet no acknowledged write
    // overwrote 1, so it is not stale for certain: the search alone refutes it, and the prose says so.
    const after = await checkCache(history([...rows, [30, '2 invoke read nil @k0'], [31, '2 ok read 1 @k0']]));
    assert.equal(after.linearizable, false);
    assert.equal(after.staleReadCount, 0);
    assert.match(explainCache(after), /^not linearizable: Key "k0" is not linearizable: no order of its operations explains process 2 read 1/);
    assert.deepEqual(presentCache(after, [], PRESENT_LIMITS).findings, ['not linearizable']);
  });

  it('figures: the hit ratio over reads that say, hit and miss latencies by nearest rank, stale ages', async () => {
    const h = history([
      [0, '0 invoke read nil @k0'],
      [1, '0 ok read nil @k0', HIT],
      [2, '0 invoke read nil @k0'],
      [5, '0 ok read nil @k0', HIT],
      [10, '0 invoke read nil @k0'],
      [20, '0 ok read nil @k0', MISS],
      // Says nothing of the cache: counted as a read, not in the ratio.
      [21, '0 invoke read nil @k0'],
      [22, '0 ok read nil @k0'],
      [23, '0 invoke read nil @k0'],
      [24, '0 fail read nil @k0'],
    ]);
    const r = await checkCache(h);
    const f = r.figures;
    assert.deepEqual([f.okReads, f.withHit, f.hits, f.misses, f.hitRatio], [4, 3, 2, 1, 2 / 3]);
    assert.deepEqual(f.hitLatency, { count: 2, medianMs: 1, p95Ms: 3, maxMs: 3 });
    assert.deepEqual(f.missLatency, { count: 1, medianMs: 10, p95Ms: 10, maxMs: 10 });
    assert.deepEqual(f.staleAge, { count: 0 });
    assert.equal(f.unknownReason, undefined);
    const rows = blocksOf(r, h, 'table').find((t) => t.title === 'Figures')!.rows.map((row) => row.cells.slice(0, 2));
    assert.deepEqual(rows, [
      ['hit ratio', '66.7% (2 of 3)'],
      ['hit latency', 'median 1.00 ms, p95 3.00 ms, max 3.00 ms (2)'],
      ['miss latency', 'median 10 ms, p95 10 ms, max 10 ms (1)'],
      ['stale values served', 'none'],
    ]);
    assert.deepEqual(presentCache(r, h, PRESENT_LIMITS).facts, [['linearizable', 'yes'], ['converged', 'yes'], ['hit ratio', '66.7%']]);
  });

  it('figures are unknown when no read says whether it hit, never invented', async () => {
    const r = await checkCache(history([[0, '0 invoke read nil @k0'], [1, '0 ok read nil @k0']]));
    assert.equal(r.figures.hitRatio, null);
    assert.equal(r.figures.unknownReason, 'no read says whether the cache served it (hit)');
    assert.deepEqual([r.figures.hitLatency, r.figures.missLatency], [undefined, undefined]);
    assert.equal(r.valid, true, 'the figures are not the verdict');
  });

  it('refuses what breaks the contract with a usage error naming the op: a settle of another shape above all', async () => {
    const refused = async (rows: [number, string, Record<string, unknown>?][], what: RegExp) =>
      assert.rejects(checkCache(history(rows)), (e: unknown) => isInputError(e) && what.test((e as Error).message));
    const settle = (v: string): [number, string][] => [
      [0, '0 invoke settle nil @k0'],
      [1, `0 ok settle ${v} @k0`],
    ];
    await refused(settle('{"db":1,"cache":1,"converged":true}'), /^<history>:2: op 1: a settle's ok value must be \{db: integer\|null, cache: integer\|null, converged: boolean, staleMs: number ≥ 0\}, got/);
    await refused(settle('{"db":1,"cache":1,"converged":"yes","staleMs":0}'), /op 1: a settle's ok value must be/);
    await refused(settle('{"db":1.5,"cache":1,"converged":false,"staleMs":0}'), /op 1: a settle's ok value must be/);
    await refused(settle('{"db":1,"cache":1,"converged":true,"staleMs":-1}'), /op 1: a settle's ok value must be/);
    await refused(settle('{"db":1,"cache":1,"converged":true,"staleMs":0,"ttl":5}'), /op 1: a settle's ok value has no field 'ttl'/);
    await refused(settle('15'), /op 1: a settle's ok value must be/);
    await refused(settle('{"db":15,"cache":12,"converged":true,"staleMs":0}'), /op 1: a settle says converged, but the cache holds 12 and the database 15/);
    await refused([[0, '0 invoke read nil @k0'], [1, '0 ok read "x" @k0']], /op 1: a read's ok value must be an integer or null/);
    await refused([[0, '0 invoke read nil @k0'], [1, '0 ok read 1 @k0', { hit: 'yes' }]], /op 1: a read's hit must be true or false, got "yes"/);
    await refused([[0, '0 invoke write 1 @k0'], [1, '0 ok write 2 @k0']], /op 1: a write's ok returns the value written \(1\), got 2/);
    await refused([[0, '0 invoke write "a" @k0']], /op 0: a write's value must be an integer/);
    await refused(
      [
        [0, '0 invoke write 1 @k0'],
        [1, '0 fail write 1 @k0'],
        [2, '0 invoke write 1 @k1'],
      ],
      /op 2: 1 was written before \(op 0\)/,
    );
    await refused([[0, '0 invoke cas [1,2] @k0']], /op 0: the cache checker knows read, write and settle, not 'cas'/);
    await refused([[0, '0 invoke read nil']], /op 0: a cache read names its key/);
  });

  it('every stale read is a linearizability violation: random histories never have one the search calls linearizable', async () => {
    // A register that reads any value written so far (or nothing): some histories are fine, many are not, some by
    // a stale read. checkCache throws if a key with a certain stale read were found linearizable.
    let stale = 0;
    let refutedOtherwise = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = await checkCache(randomHistory(seed));
      if (r.staleReadCount > 0) {
        stale++;
        assert.equal(r.linearizable, false, `seed ${seed}`);
        assert.equal(r.linearizability.valid, false, `seed ${seed}: the search agrees`);
      } else if (r.linearizable === false) refutedOtherwise++;
    }
    assert.ok(stale > 20 && refutedOtherwise > 0 && stale + refutedOtherwise < 150, `${stale} with stale reads, ${refutedOtherwise} refuted by the search alone, of 150`);
  });

  it('a stale read on a key the search found linearizable is a bug, said as one', () => {
    const clean = checkSync(ops`0 invoke write 1 @k0\n0 ok write 1 @k0`, 'register');
    assert.equal(linearizableVerdict(clean, []), true);
    assert.throws(() => linearizableVerdict(clean, ['k0']), /a stale read of k0 is certain, yet the linearizability checker found k0 linearizable/);
  });

  it('is registered as `cache`: no options, no model, the whole history', async () => {
    const c = builtinRegistry().checker('cache');
    assert.equal(c.needsModel, false);
    assert.throws(() => c.parseOptions({ total: 1 }), (e: unknown) => isInputError(e) && (e as Error).message === "the cache checker has no option 'total' (known: none)");
    assert.deepEqual(c.parseOptions({}), {});
    assert.equal(builtinRegistry().workload('cache').checker, 'cache');
  });
});

describe('cli: faultline check --checker cache', () => {
  it('exits 0 on a valid history and 1 on a stale one, with the columns and the prose', () => {
    const valid = faultline(['check', '--checker', 'cache', fixture('cache-valid.jsonl')]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /cache-valid\.jsonl\s*│\s*valid\s*│\s*yes\s*│\s*0\s*│\s*66\.7%\s*│\s*yes\s*│/);
    const r = faultline(['check', '--checker', 'cache', fixture('cache-valid.jsonl'), fixture('cache-stale.jsonl')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /cache-stale\.jsonl\s*│\s*INVALID\s*│\s*NO\s*│\s*1\s*│\s*50\.0%\s*│\s*NO\s*│/);
    assert.match(
      r.stdout,
      /not linearizable: read of k1 at op 10 returned 12, but 15 was written and acknowledged 340 ms before it began \(served from the cache\); did not converge: k2's cache holds 13, the database 16, still stale after 5\.0 s\./,
    );
  });

  it('--json carries each guarantee and the evidence, with source lines', () => {
    const r = faultline(['check', '-c', 'cache', '--json', fixture('cache-stale.jsonl')]);
    assert.equal(r.code, 1, r.stderr);
    const row = JSON.parse(r.stdout);
    assert.deepEqual([row.checker, row.valid, row.linearizable, row.converged, row.staleReadCount], ['cache', false, false, false, 1]);
    assert.deepEqual([row.staleReads[0].read.line, row.staleReads[0].newerWrite.completeLine, row.staleReads[0].ageMs], [11, 6, 340]);
    assert.equal(row.linearizability.anomalies[0].op.line, 11);
  });

  it('refuses options, and a settle of another shape, each in one line (exit 254)', () => {
    const opts = faultline(['check', '-c', 'cache', '--checker-options', '{"ttl": 1}', fixture('cache-valid.jsonl')]);
    assert.deepEqual([opts.code, opts.stderr], [254, "faultline: the cache checker has no option 'ttl' (known: none)\n"]);
    const settle = '{"index":0,"time":0,"process":0,"type":"invoke","f":"settle","key":"k0","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":"settle","key":"k0","value":{"db":1}}\n';
    const bad = faultline(['check', '-c', 'cache', '-'], settle);
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /^faultline: <stdin>:2: op 1: a settle's ok value must be \{db: integer\|null, cache: integer\|null, converged: boolean, staleMs: number ≥ 0\}, got \{"db":1\}\n$/);
  });
});

/** A random cache history over 2 keys: unique writes, reads of anything written so far, some crashed writes. */
function randomHistory(seed: number): Op[] {
  const rng = new Rng(seed);
  const out: Op[] = [];
  const written: Record<string, number[]> = { a: [], b: [] };
  const running = new Map<number, Op>();
  let next = 1;
  let process = 0;
  const free = [0, 1, 2];
  for (let step = 0; step < 24; step++) {
    const push = (o: Omit<Op, 'index' | 'time'>) => out.push({ ...o, index: out.length, time: out.length * 1e6 } as Op);
    const busy = [...running.keys()];
    if (busy.length > 0 && (free.length === 0 || rng.chance(0.5))) {
      const p = rng.pick(busy);
      const inv = running.get(p)!;
      running.delete(p);
      const key = inv.key as string;
      if (inv.f === 'write') {
        const info = rng.chance(0.1);
        push({ process: p, type: info ? 'info' : 'ok', f: 'write', key, value: inv.value });
        if (!info) free.push(p);
        else free.push(++process + 2);
      } else {
        const seen = written[key];
        push({ process: p, type: 'ok', f: 'read', key, value: seen.length === 0 || rng.chance(0.2) ? null : rng.pick(seen), hit: rng.chance(0.5) });
        free.push(p);
      }
      continue;
    }
    const p = free.splice(rng.int(free.length), 1)[0];
    const key = rng.pick(['a', 'b']);
    const inv = rng.chance(0.4) ? { process: p, type: 'invoke', f: 'write', key, value: next++ } : { process: p, type: 'invoke', f: 'read', key, value: null };
    if (inv.f === 'write') written[key].push(inv.value as number);
    push(inv as Omit<Op, 'index' | 'time'>);
    running.set(p, out[out.length - 1]);
  }
  return out;
}
