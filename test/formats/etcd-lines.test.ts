import assert from 'node:assert/strict';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { assertErrorAt } from './helpers.js';

/*
 * porcupine-etcd reads Jepsen logs: a line is an op (jepsen.util), a blank line, or a line of another logger of the
 * same log (a log4j/logback layout line: a level word, optionally after a timestamp). Anything else is an error:
 * a file in another format must never read as an empty history that then "passes".
 */
const op = 'INFO  jepsen.util - 0\t:invoke\t:read\tnil';
const etcd = (...lines: string[]) => parseHistoryText(lines.join('\n'), { format: 'porcupine-etcd', source: 'h.txt' });

describe('formats: porcupine-etcd, lines that are not ops', () => {
  it('skips blank lines and lines of other loggers (a level word, optionally after a timestamp)', () => {
    const h = etcd(
      'INFO  jepsen.core - Running test',
      '',
      '   \t',
      op,
      'WARN  jepsen.core - something',
      'DEBUG jepsen.control - ssh',
      'TRACE x',
      'ERROR jepsen.core - oh no',
      'FATAL',
      '2017-06-12 10:00:00,000 INFO  jepsen.core - timestamp first',
      '[2017-06-12 10:00:00,000] WARN jepsen.core - timestamp in brackets',
      '2017-06-12T10:00:00.000Z ERROR jepsen.core - ISO timestamp',
      '10:00:00.123 DEBUG jepsen.core - time of day',
      'INFO [2017-06-12 10:00:00,000] jepsen worker 3 - jepsen.core newer layout',
      'INFO  jepsen.util - 0\t:ok\t:read\t3',
    );
    assert.equal(h.ops.length, 2);
    assert.deepEqual(h.lines, [4, 15]);
  });

  it('refuses a line that is neither an op nor another logger\'s, naming the line', () => {
    assertErrorAt(`${op}\njava.lang.RuntimeException: boom`, 'porcupine-etcd', 2, /not a jepsen\.util op line/);
    assertErrorAt(`${op}\n${op.replace('invoke', 'ok')}\n\tat clojure.core$eval.invoke(core.clj:1)`, 'porcupine-etcd', 3, /not a jepsen\.util op line/);
    assertErrorAt(`info  jepsen.core - lower case is no level`, 'porcupine-etcd', 1, /not a jepsen\.util op line/);
    assertErrorAt(`INFORMATION jepsen.core - no level word`, 'porcupine-etcd', 1, /not a jepsen\.util op line/);
    assertErrorAt(`3 INFO jepsen.core - a number is no timestamp`, 'porcupine-etcd', 1, /not a jepsen\.util op line/);
    assertErrorAt(`0\t:invoke\t:read\tnil`, 'porcupine-etcd', 1, /not a jepsen\.util op line/);
    assertErrorAt(`; a comment`, 'porcupine-etcd', 1, /not a jepsen\.util op line/);
  });

  it('refuses a Knossos EDN history read as porcupine-etcd at its first line, instead of reading no ops', () => {
    const knossos = '[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}]\n';
    assertErrorAt(knossos, 'porcupine-etcd', 1, /not a jepsen\.util op line.*\[\{:process 0/);
    assertErrorAt('{"process":0,"type":"invoke","f":"read","value":null}', 'porcupine-etcd', 1, /not a jepsen\.util op line/);
  });

  it('an empty input is still an empty history (the CLI refuses it unless --allow-empty)', () => {
    assert.deepEqual(etcd('').ops, []);
    assert.deepEqual(etcd('', '  ', '').ops, []);
  });
});
