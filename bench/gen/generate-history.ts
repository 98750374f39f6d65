/**
 * Writes a large linearizable history for benchmarks: a seeded simulation of clients against real cas-registers,
 * one per key (see test/support/simulate.ts). Each op picks a random key, so concurrency on a key comes from the
 * processes that happen to overlap on it: high with `--keys 1 --processes 100`, low with 1,000 keys and 32.
 *
 *   node dist/bench/gen/generate-history.js --ops 1000000 --keys 1000 --processes 32 --crash 0.01 --seed 1 --out x.jsonl
 *
 * JSONL, one event per line (index, time, process, type, f, key, value), streamed in batches: memory stays flat
 * whatever --ops is. Deterministic given the flags.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { simulateEvents } from '../../test/support/simulate.js';

/** Lines per write: large enough that write() calls are cheap, small enough to keep memory flat. */
const BATCH = 4096;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '1000' },
      keys: { type: 'string', default: '1' },
      processes: { type: 'string', default: '5' },
      crash: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      'max-latency': { type: 'string', default: '1000' },
      model: { type: 'string', default: 'cas-register' },
      out: { type: 'string' },
    },
  });
  const num = (name: keyof typeof values, integer = true): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) usage(`--${name} must be a non-negative number`);
    return n;
  };
  const options = {
    model: String(values.model),
    ops: num('ops'),
    keys: num('keys'),
    processes: num('processes'),
    crashRate: num('crash', false),
    seed: num('seed'),
    maxLatency: num('max-latency'),
  };
  if (options.processes < 1 || options.keys < 1) usage('--processes and --keys must be at least 1');

  const start = performance.now();
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  let batch: string[] = [];
  let events = 0;
  for (const op of simulateEvents(options)) {
    batch.push(JSON.stringify(op));
    if (batch.length === BATCH) {
      events += batch.length;
      // Respect backpressure: wait for the stream to drain rather than buffering the whole history.
      if (!out.write(batch.join('\n') + '\n')) await once(out, 'drain');
      batch = [];
    }
  }
  events += batch.length;
  if (batch.length) out.write(batch.join('\n') + '\n');
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  const seconds = (performance.now() - start) / 1000;
  process.stderr.write(`generated ${options.ops} ops (${events} events) in ${seconds.toFixed(2)} s${values.out ? ` → ${values.out}` : ''}\n`);
}

function usage(what: string): never {
  process.stderr.write(`generate-history: ${what}\n`);
  process.exit(254);
}

main().catch((e) => {
  process.stderr.write(`generate-history: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
