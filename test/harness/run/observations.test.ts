/**
 * The channel from a target to the report, on the harness's side: a sim target's `observe` is asked once the final
 * reads are done, with every node's program (a killed node's last one too), and what it returns is checked and
 * stored in results.json; one that throws, or returns figures that do not check, costs the figures, never the run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest } from '../../../harness/api.js';
import type { Registry } from '../../../harness/registry.js';
import { SimNetwork } from '../../../harness/runtimes/sim/network.js';
import type { NodeContext } from '../../../harness/node.js';
import { countsObserved, observingRegistry, observingTarget } from '../../support/observing-target.js';

const clientOps = (h: readonly { type: string; process: unknown }[], which: 'invoke' | 'done') =>
  h.filter((o) => typeof o.process === 'number' && (o.type === 'invoke') === (which === 'invoke')).length;
const store = mkdtempSync(join(tmpdir(), 'faultline-observe-'));

describe('run: a target’s observations', function () {
  this.timeout(120_000);
  let registry: Registry;
  let asked: { nodes: readonly string[]; ops: number; finalReadsDone: boolean }[] = [];
  before(async () => {
    registry = await observingRegistry([
      observingTarget('kv-observed', (programs, history, nodes) => {
        // The final reads are in the history by now: their processes are the last ones numbered.
        asked.push({ nodes, ops: history.length, finalReadsDone: clientOps(history, 'invoke') === clientOps(history, 'done') });
        return countsObserved(programs, history, nodes);
      }),
      observingTarget('kv-observe-throws', () => {
        throw new Error('the counters were not there');
      }),
      observingTarget('kv-observe-bad', (programs, history, nodes) => {
        const o = countsObserved(programs, history, nodes);
        return { figures: [o.figures[0], o.figures[0]] };
      }),
    ]);
  });
  beforeEach(() => (asked = []));
  after(() => rmSync(store, { recursive: true, force: true }));
  const run = (target: string, seed = 3) =>
    runTest(parseDefinition({ target, workload: 'register', seed, timeLimit: 3, store, nemesis: { faults: ['kill'], interval: 1 } }, registry.definitions()), { registry });

  it('asks once, after the final reads, and stores what it saw in results.json and the outcome', async () => {
    const r = await run('kv-observed');
    assert.equal(r.valid, true);
    assert.equal(asked.length, 1, 'asked once');
    assert.deepEqual(asked[0].nodes, ['n1']);
    assert.ok(asked[0].finalReadsDone, 'every client op had completed');
    assert.equal(asked[0].ops, r.history.length, 'with the whole history');
    const results = JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8'));
    assert.deepEqual(results.observations, r.observations);
    assert.deepEqual(results.observations.figures.map((f: { id: string }) => f.id), ['requests-per-key', 'ok-per-second', 'requests-table']);
    const perKey = results.observations.figures[0];
    assert.ok(perKey.x.values.length > 0 && perKey.series[0].values.every((v: number) => v > 0), 'the node counted requests');
    assert.match(results.observations.notes[0], /^\d+ keys received \d+ requests$/);
  });

  it('an observe that throws: the run completes, valid, with the error in run.log and no figures', async () => {
    const r = await run('kv-observe-throws');
    assert.equal(r.valid, true);
    assert.equal(r.observations, undefined);
    const results = JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8'));
    assert.equal(results.status, 'ok');
    assert.equal('observations' in results, false);
    assert.match(readFileSync(join(r.runDir, 'run.log'), 'utf8'), /WARN .*observations are left out.*the counters were not there/);
    assert.ok(r.report !== undefined && !readFileSync(r.report, 'utf8').includes('id="observations"'), 'the report has no such section');
  });

  it('observations that do not check are left out the same way, naming the figure', async () => {
    const r = await run('kv-observe-bad');
    assert.equal(r.valid, true);
    assert.equal(r.observations, undefined);
    assert.match(readFileSync(join(r.runDir, 'run.log'), 'utf8'), /figure 'requests-per-key': a second figure with this id/);
  });

  it('a target with no observe stores no observations field', async () => {
    const r = await run('kv-single');
    assert.equal('observations' in JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8')), false);
  });
});

describe('sim: the programs a target observes', () => {
  it('lastPrograms keeps a killed node’s last program, and a restart’s new one replaces it', () => {
    const net = new SimNetwork({ seed: 1, latency: { min: 1, max: 1 } });
    let lives = 0;
    const factory = (_ctx: NodeContext) => ({ life: ++lives, receive() {} });
    net.addNode('n1', ['n2'], factory);
    net.addNode('n2', ['n1'], factory);
    net.addEndpoint('c0', () => {});
    net.kill('n2');
    assert.deepEqual([...net.programs().keys()], ['n1'], 'programs: the live ones');
    const last = net.lastPrograms();
    assert.deepEqual([...last.keys()], ['n1', 'n2'], 'every node, no endpoint');
    assert.equal((last.get('n2') as { life: number }).life, 2, 'the killed node’s program as it was');
    net.restart('n2', ['n1']);
    assert.equal((net.lastPrograms().get('n2') as { life: number }).life, 3);
  });
});
