import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { describeError, isUserError, usageError } from '../errors.js';
import { defaultModelFor, FORMATS, readHistoryFile, readHistoryStream, sniffFormat, type Format } from '../../checkers/formats/index.js';
import { isClientProcess } from '../../checkers/history/op.js';
import type { History } from '../../checkers/history/history.js';
import { parseJsonExact, stringifyExact } from '../../checkers/values/json.js';
import type { ModelRef } from '../../checkers/models/index.js';
import type { Checker, CheckerOptions, CheckerResult } from '../../checkers/registry.js';
import { checkingRegistry } from '../checking.js';
import { collectFlag } from '../config/vocabulary.js';
import { registryWith } from '../plugins.js';
import { modelFlag } from './model-flag.js';

interface CheckFlags {
  checker: string;
  model?: string;
  modelOptions?: string;
  checkerOptions?: string;
  format: Format;
  json?: boolean;
  timeLimit?: number;
  memoryLimit?: number;
  workers?: number;
  independent?: boolean;
  allowEmpty?: boolean;
  plugin?: string[];
}

/** One line of the verdict table / the JSON output. */
type Row = { file: string; result?: CheckerResult; format?: string; error?: string };

/**
 * `faultline check [files…] --model m`: Knossos's CLI shape — several histories per call, a table of verdicts,
 * then the evidence for each illegal one. Exit 0 all valid (linearizable), 1 some not, 2 some unknown and none
 * invalid, 254 bad input or usage. `--checker set` holds the histories to Jepsen's set checker instead (no model);
 * `--checker 2pc` to the 2PC-atomicity checker, with its options (`--checker-options '{"total": 600}'`).
 * `--model ./my-models.js#register` holds them to a model of your own, the module's export (docs/extending.md).
 */
export function checkCommand(program: Command): void {
  program
    .command('check')
    .description('check recorded histories for linearizability against a model (or with another checker)')
    .argument('[files...]', 'history files (JSONL, EDN, Porcupine logs); none or - reads standard input')
    .addOption(new Option('-c, --checker <name>', `checker: ${checkingRegistry().checkerNames().join(', ')}, or a plugin's`).default('linearizable'))
    .option('--plugin <path>', "load a plugin module's checkers and models (repeatable)", collectFlag)
    .addOption(new Option('-m, --model <name>', `model: ${checkingRegistry().modelNames().join(', ')}, a plugin's, or your own module's path#export`))
    .option('--model-options <json>', 'model options as JSON, e.g. \'{"initial": 0}\' (your own model\'s go to its factory)')
    .option('--checker-options <json>', 'the checker\'s options as JSON, e.g. \'{"total": 600}\' for 2pc')
    .addOption(new Option('-f, --format <format>', 'history format').choices(FORMATS as string[]).default('auto'))
    .option('--json', 'one JSON object per file per line')
    .option('--time-limit <seconds>', 'give up (verdict unknown) after this long per file', positive('--time-limit'))
    .option('--memory-limit <MB>', 'memory budget of the search per file (default 2048)', positive('--memory-limit'))
    .option('--workers <n>', 'worker threads for the keys that need a real search (default: one per core; 1 = this thread only; at most one per key and per core)', workerCount)
    .option('--independent', "Jepsen's independent histories: split every client value, a [key value] tuple, and check per key")
    .option('--allow-empty', 'check a history with no client operation (refused otherwise: it checked nothing)')
    .action(async (files: string[], flags: CheckFlags) => {
      process.exitCode = await runCheck(files.length ? files : ['-'], flags);
    });
}

async function runCheck(files: string[], flags: CheckFlags): Promise<number> {
  const options = parseModelOptions(flags.modelOptions);
  // Unknown checker or model, or a model for a checker that takes none: usage errors before reading anything.
  const registry = await registryWith(flags.plugin ?? [], checkingRegistry);
  const checker = registry.checker(flags.checker) as Checker<CheckerResult>;
  if (!checker.needsModel && (flags.model !== undefined || flags.modelOptions !== undefined)) {
    throw usageError(`--model applies to the linearizable checker, not to ${checker.name}`);
  }
  const model = flags.model !== undefined ? await modelFlag(registry, flags.model, options) : undefined;
  const checkerOptions = parseCheckerOptions(flags.checkerOptions, checker);
  if (flags.independent) checkerOptions.independent = true;
  // A flag the checker cannot use is refused before anything is read.
  if (flags.independent && checker.name !== 'linearizable') throw usageError(`--independent applies to the linearizable checker, not to ${checker.name}`);
  const rows: Row[] = [];
  for (const file of files) {
    const row = await checkFile(file, flags, { checker, model, options, checkerOptions, modelNames: registry.modelNames() });
    rows.push(row);
    if (flags.json) process.stdout.write(stringifyExact(jsonRow(row, checker)) + '\n');
    if (row.error) process.stderr.write(`faultline: ${row.error}\n`);
    const capped = (row.result as { stats?: { threadsCapped?: string } } | undefined)?.stats?.threadsCapped;
    if (capped) process.stderr.write(`faultline: ${row.file}: ${capped}\n`);
  }
  if (!flags.json) printHuman(rows, checker);
  return exitCode(rows);
}

/** What every file is checked with, resolved once from the flags. */
interface Judge {
  checker: Checker<CheckerResult>;
  /** `--model`, resolved; else the format's default model is taken, with `options`. */
  model: ModelRef | undefined;
  options: Record<string, unknown> | undefined;
  checkerOptions: CheckerOptions;
  /** Named when a model is needed and none can be taken. */
  modelNames: readonly string[];
}

async function checkFile(file: string, flags: CheckFlags, { checker, model, options, checkerOptions, modelNames }: Judge): Promise<Row> {
  const name = file === '-' ? '<stdin>' : file;
  try {
    const budget = {
      timeLimitMs: flags.timeLimit !== undefined ? flags.timeLimit * 1000 : undefined,
      memoryLimitBytes: flags.memoryLimit !== undefined ? flags.memoryLimit * 1024 * 1024 : undefined,
      workers: flags.workers,
    };
    const modelOption = (format: string | undefined): CheckerOptions => {
      if (!checker.needsModel) return {};
      if (model !== undefined) return { model };
      const byFormat = defaultModelFor(format as Format);
      if (!byFormat) throw usageError(`${name}: --model is required for ${format} histories (one of: ${modelNames.join(', ')}, or a module's path#export)`);
      return { model: { name: byFormat, options } };
    };
    // A checker that digests a file in one pass reads it so (the model may depend on the format: peek at it first).
    const sniffed = file !== '-' && checker.checkFile ? (flags.format === 'auto' ? await sniffFormat(file) : flags.format) : undefined;
    if (sniffed !== undefined && checker.checkFile) {
      const { result, clientOps, format } = await checker.checkFile(file, sniffed, { ...checkerOptions, ...modelOption(sniffed), ...budget });
      if (clientOps === 0 && !flags.allowEmpty) return { file: name, error: noOperations(name) };
      return { file: name, result, format };
    }
    const history: History =
      file === '-'
        ? await readHistoryStream(process.stdin, { format: flags.format, source: name })
        : await readHistoryFile(file, { format: flags.format });
    if (!flags.allowEmpty && !history.ops.some((o) => isClientProcess(o.process))) return { file: name, error: noOperations(name) };
    const result = await checker.check(history, { ...checkerOptions, ...modelOption(history.format), ...budget });
    return { file: name, result, format: history.format };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { file: name, error: describeError(e) };
  }
}

/** A nightly job must never go green on a history it did not read. */
function noOperations(name: string): string {
  return `${name}: no operations (no client op was read: is it the right file and --format? --allow-empty checks it anyway)`;
}

function jsonRow(row: Row, checker: Checker<CheckerResult>): Record<string, unknown> {
  if (row.error || !row.result) return { file: row.file, valid: null, error: row.error };
  const { ms, ...rest } = checker.toJson ? checker.toJson(row.result) : row.result;
  return { file: row.file, ...rest, ms: round(ms as number), format: row.format };
}

/**
 * The verdict table, with the checker's own columns (its `summarize`), then the explanation of each file that is
 * not valid.
 */
function printHuman(rows: Row[], checker: Checker<CheckerResult>): void {
  const [validWord, invalidWord] = checker.verdictWords ?? ['valid', 'INVALID'];
  const columns = (r: CheckerResult | undefined) => (r && checker.summarize ? checker.summarize(r) : []);
  const first = rows.find((row) => row.result)?.result;
  const head = ['file', 'verdict', ...columns(first).map(([k]) => k), 'ms'];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) {
    const r = row.result;
    const verdict = !r ? 'bad input' : r.valid === true ? validWord : r.valid === false ? invalidWord : 'unknown'; // why: in the explanation below
    const cells = r ? columns(r).map(([, v]) => v) : head.slice(2, -1).map(() => '');
    table.push([row.file, verdict, ...cells, r ? round(r.ms) : '']);
  }
  process.stdout.write(table.toString() + '\n');
  for (const row of rows) {
    if (row.result && row.result.valid !== true) process.stdout.write(`\n${row.file}\n${checker.explain(row.result)}\n`);
  }
}

function exitCode(rows: Row[]): number {
  if (rows.some((r) => r.error)) return 254;
  if (rows.some((r) => r.result!.valid === false)) return 1;
  if (rows.some((r) => r.result!.valid === 'unknown')) return 2;
  return 0;
}

function parseModelOptions(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  try {
    // Exact numbers: an initial value beyond 2^53 keeps its digits.
    const v = parseJsonExact(json);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the usage error
  }
  throw usageError(`--model-options must be a JSON object, got ${json}`);
}

/** `--checker-options`: a JSON object the checker itself reads and checks (a checker without options takes none). */
function parseCheckerOptions(json: string | undefined, checker: Checker<CheckerResult>): CheckerOptions {
  if (json === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    v = undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw usageError(`--checker-options must be a JSON object, got ${json.replace(/\s+/g, ' ')}`);
  return checker.parseOptions(v as Record<string, unknown>);
}

/** `--workers`: a whole number of threads (the check caps it at the keys and the cores, and says so). */
function workerCount(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw usageError(`--workers must be a positive integer, got ${v}`);
  return n;
}

function positive(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`${flag} must be a positive number, got ${v}`);
    return n;
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
