import assert from 'node:assert/strict';
import { faultline, tempFiles } from '../support/cli.js';

/*
 * `faultline check` never goes green on a history it did not read: a file in another format, an empty history,
 * unknown options. Every refusal is exit 254 and one line on stderr, never a stack trace.
 */
const file = tempFiles('faultline-strict-');
const jsonl = (...ops: object[]) => ops.map((o) => JSON.stringify(o)).join('\n') + '\n';

/** Exit 254 with exactly one line on stderr matching `re`, and no stack trace. */
function refused(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 254, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

const knossos = file('knossos.edn', '[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}\n {:process 1, :type :invoke, :f :read, :value nil}\n {:process 1, :type :ok, :f :read, :value 1}]\n');
const empty = file('empty.jsonl', '');
const blank = file('blank.jsonl', '\n  \n\n');
const nemesisOnly = file('nemesis.jsonl', jsonl({ process: 'nemesis', type: 'info', f: 'start-partition', value: null }, { process: 'nemesis', type: 'info', f: 'stop-partition', value: null }));
const register = file('register.jsonl', jsonl(
  { process: 0, type: 'invoke', f: 'write', value: 1 },
  { process: 0, type: 'ok', f: 'write', value: 1 },
  { process: 1, type: 'invoke', f: 'read', value: null },
  { process: 1, type: 'ok', f: 'read', value: 1 },
));

describe('cli: faultline check refuses what it cannot have checked', () => {
  describe('a file in another format read as porcupine-etcd', () => {
    it('a Knossos .edn file is an error at its first line, not "linearizable, 0 ops"', () => {
      const r = faultline(['check', '--format', 'porcupine-etcd', '--model', 'cas-register', knossos]);
      refused(r, /^faultline: .*knossos\.edn:1: not a jepsen\.util op line/);
      assert.doesNotMatch(r.stdout, /\blinearizable\b/);
    });
    it('a JSONL file too', () => {
      refused(faultline(['check', '--format', 'porcupine-etcd', register]), /register\.jsonl:1: not a jepsen\.util op line/);
    });
  });

  describe('a history with no client operation', () => {
    for (const checker of ['linearizable', 'set', '2pc']) {
      it(`${checker}: an empty file, blank lines or only nemesis ops exit 254 "<file>: no operations"`, () => {
        const model = checker === 'linearizable' ? ['--model', 'cas-register'] : [];
        for (const f of [empty, blank, nemesisOnly]) {
          const r = faultline(['check', '--checker', checker, ...model, f]);
          refused(r, new RegExp(`^faultline: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no operations`));
        }
        refused(faultline(['check', '--checker', checker, ...model, '--json', '-'], ''), /^faultline: <stdin>: no operations/);
      });
    }

    it('an empty porcupine-etcd log too (the format implies the model)', () => {
      const log = file('empty.log', '');
      refused(faultline(['check', '--format', 'porcupine-etcd', log]), /empty\.log: no operations/);
      const quiet = file('quiet.log', 'INFO  jepsen.core - Running test\nINFO  jepsen.core - Run complete\n');
      refused(faultline(['check', '--format', 'porcupine-etcd', quiet]), /quiet\.log: no operations/);
    });

    it('--allow-empty checks it as before', () => {
      const r = faultline(['check', '--model', 'cas-register', '--allow-empty', '--json', empty, nemesisOnly]);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: unknown; ops: number });
      assert.deepEqual(rows.map((x) => [x.valid, x.ops]), [[true, 0], [true, 0]]);
      assert.equal(faultline(['check', '--checker', 'set', '--allow-empty', empty]).code, 2);
    });

    it('one empty file among good ones makes the whole call exit 254, and the others are still checked', () => {
      const r = faultline(['check', '--model', 'cas-register', '--json', register, empty]);
      assert.equal(r.code, 254);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: unknown; error?: string });
      assert.equal(rows[0].valid, true);
      assert.match(rows[1].error!, /empty\.jsonl: no operations/);
    });
  });

  describe('unknown --checker-options keys', () => {
    it('the set and linearizable checkers take none: the key and the known ones are named', () => {
      refused(faultline(['check', '-c', 'set', '--checker-options', '{"foo": 1}', register]), /^faultline: the set checker has no option 'foo' \(known: none\)/);
      refused(
        faultline(['check', '--model', 'cas-register', '--checker-options', '{"initial": 0}', register]),
        /^faultline: the linearizable checker has no option 'initial' \(known: none\).*--model-options/,
      );
    });
    it('2pc names the unknown key and its one option', () => {
      refused(faultline(['check', '-c', '2pc', '--checker-options', '{"total": 1, "totl": 600}', register]), /^faultline: the 2pc checker has no option 'totl' \(known: total\)/);
    });
    it('an empty object is no option at all', () => {
      assert.equal(faultline(['check', '-c', 'linearizable', '--model', 'cas-register', '--checker-options', '{}', register]).code, 0);
    });
  });
});
