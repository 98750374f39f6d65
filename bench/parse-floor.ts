/**
 * The floor of reading a JSON-lines history: every line read with readline and parsed with JSON.parse, nothing
 * kept, nothing checked. No reader can be much faster in Node; `faultline check` is measured against it.
 *
 *   node dist/bench/parse-floor.js <file.jsonl>
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

let lines = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  if (line !== '') {
    JSON.parse(line);
    lines++;
  }
}
process.stdout.write(`${lines}\n`);
