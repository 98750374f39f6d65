/**
 * How deeply a config nests. A test definition is a few levels deep (options may hold some JSON of their own); a
 * file nested thousands deep is a mistake or an attack, and the recursive readers after it (the YAML composer,
 * zod, the JSON checks) would overflow the stack: it is refused first, as bad input, with the line it passes
 * the limit on.
 */
export const MAX_CONFIG_DEPTH = 100;

/**
 * The first line on which the flow brackets (`[`, `{`) of a YAML or JSON text, outside quoted strings, open more
 * than `max` levels; undefined if none does. A scan, no recursion: it runs before any parser does. Block nesting
 * (by indentation) is not counted here: parsed, it is measured by `depthOf`.
 */
export function lineTooDeep(text: string, max = MAX_CONFIG_DEPTH): number | undefined {
  let depth = 0;
  let line = 1;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      // A quote inside a plain YAML scalar (`it's`) opens nothing: only one at a token's start does.
      const before = i === 0 ? ' ' : text[i - 1];
      if (' \t\n[{,:'.includes(before)) quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > max) return line;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** The nesting depth of parsed data (a scalar is 0), counted without recursion; stops once past `max`. */
export function depthOf(value: unknown, max = MAX_CONFIG_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const here = d + 1;
    if (here > deepest) deepest = here;
    if (deepest > max) return deepest;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, here]);
  }
  return deepest;
}
