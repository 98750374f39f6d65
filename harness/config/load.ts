import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import {
  definitionFieldsSchema,
  definitionSchema,
  describeValue,
  FIELD_NAMES,
  type DefinitionFields,
  type DefinitionRegistry,
  type TestDefinition,
} from './definition.js';
import { flagFor, flagsToFields, type CliFlags } from './flags.js';
import { describeError } from '../errors.js';
import { depthOf, lineTooDeep, MAX_CONFIG_DEPTH } from './depth.js';
import { nodesWithPathsFrom, sshWithPathsFrom } from './external.js';
import { configError, moreSuffix, problemsOf, type FieldPath, type Problem } from './issues.js';

/**
 * Config files (YAML or JSON) and their merge with the CLI flags. A file is checked field by field when it is
 * read, so its errors name a line; the merged definition is checked as a whole (defaults, the registries), and each error is blamed on where the field came from: the flag, or the file's line.
 */

export type ConfigFormat = 'yaml' | 'json';

export interface DefinitionFile {
  /** the path as given: errors name it so */
  path: string;
  format: ConfigFormat;
  /** the fields the file sets, each valid on its own; no defaults */
  fields: DefinitionFields;
  /** the 1-based line of a field (`['nemesis', 'faults', 1]`), or of its nearest enclosing one */
  lineOf(path: FieldPath): number | undefined;
}

/** Reads a YAML or JSON config (by extension; otherwise `{` first means JSON). Bad input: a UsageError, one line. */
export async function loadDefinition(path: string): Promise<DefinitionFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw configError(path, undefined, [], `cannot read the config (${ioReason(e)})`);
  }
  return parseDefinitionText(text, path);
}

export function formatOf(path: string, text: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** The text of a config file; `source` names it in errors. */
export function parseDefinitionText(text: string, source: string, format: ConfigFormat = formatOf(source, text)): DefinitionFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const deep = lineTooDeep(text);
  if (deep !== undefined) throw configError(source, deep, [], tooDeep);
  // The YAML document maps field paths to lines for both formats (JSON is YAML's flow syntax).
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const lineOf = (path: FieldPath) => (doc.errors.length ? undefined : lineIn(doc, lines, path));

  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const { line, what } = jsonSyntax(text, e);
      throw configError(source, line, [], `invalid JSON: ${what}`);
    }
  } else {
    const err = doc.errors[0];
    if (err) {
      // The composer recurses per level: a file nested past what the stack holds is too deep, not malformed.
      if (/call stack/i.test(err.message)) throw configError(source, undefined, [], tooDeep);
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw configError(source, err.linePos?.[0].line, [], `invalid YAML: ${what}`);
    }
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      // The yaml library refuses aliases past maxAliasCount (a "billion laughs" file expands exponentially).
      if (/alias/i.test(describeError(e))) {
        throw configError(source, undefined, [], `invalid YAML: too many aliases (more than ${MAX_ALIASES} expansions of anchors; write the values out)`);
      }
      throw e;
    }
  }
  if (depthOf(data) > MAX_CONFIG_DEPTH) throw configError(source, undefined, [], tooDeep);

  if (data === null || data === undefined) data = {}; // an empty file: all defaults
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw configError(source, lineOf([]), [], `expected a mapping of test definition fields, got ${describeValue(data)}`);
  }
  const r = definitionFieldsSchema.safeParse(data);
  if (!r.success) throw fileError(source, lineOf, problemsOf(r.error.issues, data, FIELD_NAMES));
  // Plugin paths, secret files and known_hosts are the file's: relative ones are found next to it, wherever
  // faultline runs from.
  return { path: source, format, fields: withPathsFrom(r.data, dirname(source)), lineOf };
}

/** A file's fields with its relative paths (plugins, secret files, known_hosts) resolved against `base`, its folder. */
export function withPathsFrom(d: DefinitionFields, base: string): DefinitionFields {
  return {
    ...d,
    ...(d.plugins !== undefined && { plugins: d.plugins.map((p) => resolve(base, p)) }),
    ...(d.nodes !== undefined && { nodes: nodesWithPathsFrom(d.nodes, base) }),
    ...(d.ssh !== undefined && { ssh: sshWithPathsFrom(d.ssh, base) }),
  };
}

/** Alias expansions a YAML config may make: the yaml library's default, named so the error can say it. */
const MAX_ALIASES = 100;

const tooDeep = `nested more than ${MAX_CONFIG_DEPTH} levels deep (a test definition needs a few)`;

/** The problem that comes first in the file, with its line. */
function fileError(source: string, lineOf: (p: FieldPath) => number | undefined, problems: Problem[]) {
  const located = problems.map((p) => ({ ...p, line: lineOf(p.path) }));
  located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const p = located[0];
  return configError(source, p.line, p.path, p.message + moreSuffix(problems.length));
}

/**
 * The definition of a run: the file's fields (if any), overridden by the flags (`--nemesis` replaces the file's
 * faults but keeps its interval), then defaults, then the whole-definition checks. A random seed is drawn here
 * when neither gives one, and is part of the result.
 */
export function mergeDefinition(file: DefinitionFile | undefined, flags: CliFlags = {}, registry?: DefinitionRegistry): TestDefinition {
  const fromFlags = flagsToFields(flags);
  const merged: Record<string, unknown> = { ...file?.fields };
  for (const [k, v] of Object.entries(fromFlags)) {
    if (v === undefined) continue;
    merged[k] = k === 'nemesis' ? { ...(merged.nemesis as object | undefined), ...(v as object) } : v;
  }
  const r = definitionSchema(registry).safeParse(merged);
  if (r.success) return r.data;

  const problems = problemsOf(r.error.issues, merged, FIELD_NAMES);
  const p = problems[0];
  const more = moreSuffix(problems.length);
  const [field, sub] = p.path as [keyof DefinitionFields, PropertyKey?];
  const setByFlag = field === 'nemesis' && sub !== undefined ? fromFlags.nemesis?.[sub as 'faults' | 'interval'] !== undefined : fromFlags[field] !== undefined;
  if (setByFlag || !file) return raise(configError(undefined, undefined, [flagFor(p.path)], p.message + more));
  // From the file, or a default the file's other fields made wrong (e.g. runtime docker and the default target, a simulated one): name the file.
  const inFile = file.fields[field] !== undefined;
  return raise(configError(file.path, inFile ? file.lineOf(p.path) : undefined, p.path, p.message + more));
}

/** A definition given as a plain object (a test map in code): defaults filled, checked, errors name the field. */
export function parseDefinition(input: unknown, registry?: DefinitionRegistry): TestDefinition {
  const r = definitionSchema(registry).safeParse(input);
  if (r.success) return r.data;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw configError(undefined, undefined, [], `expected a mapping of test definition fields, got ${describeValue(input)}`);
  }
  const problems = problemsOf(r.error.issues, input, FIELD_NAMES);
  throw configError(undefined, undefined, problems[0].path, problems[0].message + moreSuffix(problems.length));
}

function raise(e: Error): never {
  throw e;
}

/** The line of the node at `path`: a mapping entry's key line, a list item's own line; the nearest ancestor's if absent. */
export function lineIn(doc: Document, lines: LineCounter, path: FieldPath): number | undefined {
  const lineOfNode = (n: unknown) => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  let node: unknown = doc.contents;
  let line = lineOfNode(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      line = lineOfNode(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      line = lineOfNode(node) ?? line;
    } else break;
  }
  return line;
}

/** V8's JSON error, reduced to one line without the echoed source, with the line of its position. */
function jsonSyntax(text: string, e: unknown): { line: number | undefined; what: string } {
  // V8 echoes the source (newlines included) in some messages: cut that before taking the first line.
  const message = (e instanceof Error ? e.message : String(e)).replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1));
  const at = /at position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : jsonErrorOffset(text);
  const what = message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ at position \d+.*$/, '');
  return { line: offset === undefined ? undefined : lineAt(text, offset), what };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  // An error at the very end (a missing brace) belongs to the last line with text, not to the empty one after it.
  if (offset >= text.length && text.endsWith('\n')) line--;
  return Math.max(line, 1);
}

/**
 * Where JSON.parse stopped, for the messages V8 gives without a position (`Unexpected token 'x', "…" is not valid
 * JSON`): a recursive-descent scan that returns the offset of the first character JSON does not allow there.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? at : undefined;
  }
}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return describeError(e);
}

/** The plugin modules a run loads: the flags' (`--plugin`, repeatable) when given, else the file's (`plugins:`). */
export function pluginPaths(file: DefinitionFile | undefined, flags: CliFlags = {}): string[] {
  return flagsToFields({ plugin: flags.plugin }).plugins ?? file?.fields.plugins ?? [];
}
