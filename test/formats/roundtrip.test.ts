import assert from 'node:assert/strict';
import { Keyword } from '../../checkers/values/types.js';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { parseHistoryText, readHistoryStream } from '../../checkers/formats/index.js';
import type { Op } from '../../checkers/history/op.js';

/*
 * Random ops written out as JSON lines and as EDN in the styles found in the wild (vector or bare sequence, one map
 * per line or spread over lines, commas or not, comments, tags), then read back whole and in random chunks.
 */

type Value = null | number | string | Value[];

const str = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', '\\', ';', '}', ']', ')', '{', '\n', '\t', 'é', '😀', ',', '#', ':') , maxLength: 8 });
const scalar: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.integer({ min: -1000, max: 1_000_000 }), str);
const value: fc.Arbitrary<Value> = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.array(fc.tuple(fc.constantFrom('read', 'write'), fc.constantFrom('x', 'y'), fc.oneof(fc.constant(null), fc.nat(9))), { maxLength: 3 }) as fc.Arbitrary<Value>,
);

const opArb = fc.record(
  {
    process: fc.oneof(fc.nat(20), fc.constant('nemesis')),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: fc.constantFrom('read', 'write', 'cas', 'txn', 'start'),
    key: fc.oneof(fc.constantFrom('k1', 'k2'), fc.nat(5)),
    value,
    error: fc.constantFrom('timeout', 'conn-lost'),
  },
  { requiredKeys: ['process', 'type', 'f', 'value'] },
);

function ednValue(v: unknown): string {
  if (v === null) return 'nil';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    // txn micro-ops are written with keywords, as Jepsen does.
    if (isMicroOp(v)) {
      return `[:${v[0]} :${v[1]} ${ednValue(v[2])}]`;
    }
    return `[${v.map(ednValue).join(' ')}]`;
  }
  throw new Error(`cannot write ${String(v)}`);
}

const isMicroOp = (v: unknown[]) => v.length === 3 && (v[0] === 'read' || v[0] === 'write') && (v[1] === 'x' || v[1] === 'y');

/** A value as the EDN reader gives it back: what ednValue wrote as keywords are keywords. */
function ednRead(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (isMicroOp(v)) return [new Keyword(v[0] as string), new Keyword(v[1] as string), v[2]];
  return v.map(ednRead);
}

interface Style {
  vector: boolean;
  multiline: boolean;
  commas: boolean;
  comments: boolean;
  tagged: boolean;
}

function ednMap(o: Record<string, unknown>, style: Style): { text: string } {
  const sep = style.multiline ? (style.commas ? ',\n ' : '\n ') : style.commas ? ', ' : ' ';
  const fields = Object.entries(o).map(([k, v]) => {
    const val = k === 'type' || k === 'f' || (k === 'process' && typeof v === 'string') || k === 'error' ? `:${String(v)}` : ednValue(v);
    return `:${k} ${val}${style.comments && k === 'f' ? ' ; the op }]\n' : ''}`;
  });
  return { text: `${style.tagged ? '#jepsen.history.Op' : ''}{${fields.join(sep)}${style.comments ? '\n' : ''}}` };
}

function expected(ops: Record<string, unknown>[]): Op[] {
  return ops.map((o, i) => ({ ...o, index: i, time: i }) as Op);
}

async function inChunks(text: string, sizes: number[]): Promise<ReturnType<typeof parseHistoryText>> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return readHistoryStream(Readable.from(chunks), { source: 'gen' });
}

describe('formats: round trips of random histories', () => {
  const params = { numRuns: 150, seed: 20240611 };
  const chunkSizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 });

  it('JSON lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), chunkSizes, async (ops, sizes) => {
        const text = ops.map((o) => JSON.stringify(o)).join('\n') + '\n';
        const whole = parseHistoryText(text);
        assert.equal(whole.format, 'jsonl');
        assert.deepEqual(whole.ops, expected(ops));
        assert.deepEqual(whole.lines, ops.map((_, i) => i + 1));
        const streamed = await inChunks(text, sizes);
        assert.deepEqual(streamed.ops, whole.ops);
      }),
      params,
    );
  });

  it('EDN in every style', async () => {
    const style = fc.record({ vector: fc.boolean(), multiline: fc.boolean(), commas: fc.boolean(), comments: fc.boolean(), tagged: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), style, chunkSizes, async (ops, st, sizes) => {
        let text = st.comments ? '; a history\n' : '';
        if (st.vector) text += '[';
        const lines: number[] = [];
        ops.forEach((o, i) => {
          if (i > 0) text += '\n ';
          lines.push(text.split('\n').length); // the line the map starts on
          text += ednMap(o, st).text;
        });
        text += st.vector ? ']\n' : '\n';
        const whole = parseHistoryText(text);
        assert.ok(whole.format === 'edn' || whole.format === 'porcupine-kv', whole.format);
        assert.deepEqual(whole.ops, expected(ops.map((o) => ({ ...o, value: ednRead(o.value) }))));
        assert.deepEqual(whole.lines, lines);
        const streamed = await inChunks(text, sizes);
        assert.deepEqual(streamed.ops, whole.ops);
        assert.deepEqual(streamed.lines, whole.lines);
        assert.equal(streamed.format, whole.format);
      }),
      params,
    );
  });
});
