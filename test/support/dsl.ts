import type { Op } from '../../checkers/history/op.js';

/**
 * A tiny language for hand-written histories, one op per line: `<process> <type> <f> [value] [@key]`, e.g.
 *   0 invoke write 1
 *   0 ok     write 1
 *   1 invoke cas [1,2] @x
 * Values are JSON, or `nil`. Processes that are not integers (nemesis) stay strings.
 */
export function ops(text: TemplateStringsArray | string): Op[] {
  const src = typeof text === 'string' ? text : text.join('');
  const out: Op[] = [];
  for (const raw of src.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(invoke|ok|fail|info)\s+(\S+)\s*(.*?)\s*(?:@(\S+))?$/.exec(line);
    if (!m) throw new Error(`bad DSL line: ${line}`);
    const [, p, type, f, v, key] = m;
    const op: Op = {
      index: out.length,
      time: out.length * 1000,
      process: /^-?\d+$/.test(p) ? Number(p) : p,
      type: type as Op['type'],
      f,
      value: v === '' || v === 'nil' ? null : JSON.parse(v),
    };
    if (key !== undefined) op.key = key;
    out.push(op);
  }
  return out;
}
