import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefinition } from '../../../harness/config/index.js';
import { builtinRegistry } from '../../../harness/builtins.js';
import { runTest } from '../../../harness/api.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const store = mkdtempSync(join(tmpdir(), 'faultline-set-'));
const def = (o: Record<string, unknown>) => parseDefinition({ target: 'kv-single', workload: 'set', store, ...o }, builtinRegistry().definitions());

describe('run: the set workload, judged by the set checker', () => {
  it('kv-single (the control) loses no acknowledged add under kills and pauses, for 5 seeds', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = await runTest(def({ seed, timeLimit: 5, nemesis: { faults: ['kill', 'pause'], interval: 1 } }));
      assert.equal(r.check.checker, 'set', 'the workload’s own checker');
      if (r.check.checker !== 'set') continue;
      assert.equal(r.valid, true, `seed ${seed}: ${r.runDir}`);
      const c = r.check.counts;
      assert.ok(c.acknowledged > 100, `seed ${seed} did real work: ${c.acknowledged} acknowledged`);
      assert.ok(c.info > 0, `seed ${seed}: kills leave adds of unknown outcome`);
      assert.equal(c.read, c.acknowledged + c.recovered, 'the read holds exactly the acknowledged and the recovered adds');
      assert.equal(c.lost, 0);
      const adds = r.history.filter((o) => o.f === 'add' && o.type === 'invoke');
      assert.equal(new Set(adds.map((o) => o.value)).size, adds.length, 'every add adds a new element');
    }
  });

  it('stores the set checker’s result in results.json, and its summary in the report', async () => {
    const r = await runTest(def({ seed: 4, timeLimit: 2 }));
    const results = JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8'));
    assert.equal(results.valid, true);
    assert.equal(results.checker.checker, 'set');
    assert.equal(results.checker.counts.acknowledged, r.check.checker === 'set' ? r.check.counts.acknowledged : -1);
    const html = readFileSync(r.report!, 'utf8');
    assert.match(html, /<section id="checker-set" class="checker-section" data-checker="set"><h2>Set checker<\/h2>/);
    assert.match(html, /checker set · /, 'the summary names the checker, not a model');
  });

  it('faultline run prints the set counts and exits 0', () => {
    const r = spawnSync(process.execPath, [bin, 'run', '--target', 'kv-single', '--workload', 'set', '--time-limit', '2', '--seed', '9', '--store', store], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^valid$/m);
    assert.match(r.stdout, /^set: \d+ attempted, \d+ acknowledged, 0 lost, 0 unexpected, \d+ recovered, 0 failed, \d+ unknown, \d+ final read$/m);
    assert.match(r.stdout, /replay: faultline run .*--workload set/);
  });
});
