import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../../checkers/formats/index.js';
import { check, checkSync } from '../../checkers/linearizability/index.js';

const corpus = join(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/corpus/porcupine-kv');

/*
 * One key no budget decides must not starve a key refuted in a few steps. Porcupine's c50-bad.txt has both: key 0
 * is undecided after a minute (by Porcupine and by faultline), key 4 is refuted in 25 configurations. With one
 * thread, faultline used to search key 0 until the time limit and answer "unknown"; keys are now searched in rounds
 * of growing budgets, in every mode.
 */
describe('linearizability: no key starves the others', () => {
  const expected: Record<string, boolean> = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8'));
  const budget = { timeLimitMs: 20_000 };

  for (const workers of [1, 2]) {
    it(`c50-bad with ${workers} worker(s): refuted before the time limit, not unknown`, async () => {
      const h = await readHistoryFile(join(corpus, 'c50-bad.txt'));
      const r = await check(h, 'kv', { ...budget, workers });
      assert.equal(r.valid, false, r.unknownReason);
      assert.ok(r.anomalies.length >= 1);
    });
  }

  it('checkSync too', async () => {
    const h = await readHistoryFile(join(corpus, 'c50-bad.txt'));
    assert.equal(checkSync(h, 'kv', budget).valid, false);
  });

  it('every kv corpus verdict agrees with expected.json, one thread and two', async () => {
    for (const [file, valid] of Object.entries(expected)) {
      const h = await readHistoryFile(join(corpus, file));
      for (const workers of [1, 2]) assert.equal((await check(h, 'kv', { workers })).valid, valid, `${file}, ${workers} worker(s)`);
    }
  });
});
