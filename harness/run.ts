import type { Op } from '../checkers/history/op.js';
import type { CheckerResult } from '../checkers/registry.js';
import { builtinLocalImage } from './builtins.js';
import { definitionWarnings, faultsOf, parseDefinition, replayCommand, type TestDefinition } from './config/index.js';
import { isClientFault, madeAs } from './config/vocabulary.js';
import { Nemesis } from './nemesis/index.js';
import { HARNESS_CRASH_ERROR, ProcessCrashes } from './nemesis/process-crashes.js';
import { ProcessPauses, type ProcessControl } from './nemesis/process-pauses.js';
import { processGenerator } from '../workloads/workload.js';
import { registryWith } from './plugins.js';
import { preflight } from './preflight.js';
import type { Registry } from './registry.js';
import type { Reporter } from './reporter.js';
import { Rng } from './rng.js';
import type { Client, ClientOp, Clock, Cluster, Completion, StartOptions } from './runtime.js';
import { checkObservations, type Observations } from './observations.js';
import { runtimeFor } from './runtimes/index.js';
import { recordOnSignal } from './runtimes/teardown.js';
import { createRunDir, HistoryRecorder, RunLog, runStats, updateLatest, writeResults, type RunStats } from './store/index.js';
import { StoppedRecord } from './stopped-record.js';
import { describeError, isUserError } from './errors.js';

/** After the faults are healed, the cluster gets this long to recover before the final reads (ms). */
/** The history's own fields: a completion's `extra` cannot name them (a client that tried would rewrite its op). */
const OP_FIELDS = new Set(['index', 'time', 'process', 'type', 'f', 'key', 'value', 'error']);

/** A completion's extra keys, checked: naming one of the op's own fields is the client's bug, and ends the run. */
function extraOf(c: Completion): Record<string, unknown> {
  const extra = c.extra ?? {};
  const clash = Object.keys(extra).find((k) => OP_FIELDS.has(k));
  if (clash !== undefined) throw new Error(`a client's completion names '${clash}' among its extra keys, which is the op's own field`);
  return extra;
}

const RECOVERY_MS = 1_000;
/** Without a rate limit, a process waits up to this long between ops (ms): clients that never rest are no test. */
const MAX_THINK_MS = 2;

export interface RunProgress {
  /** Milliseconds of test time elapsed. */
  at: number;
  ops: number;
  fault: string;
  phase: 'main' | 'recovery' | 'final' | 'check';
}

export interface RunOutcome {
  valid: CheckerResult['valid'];
  runDir: string;
  /**
   * The workload's checker's result (`check.checker` names it). Typed as faultline's own checkers' results: a
   * plugin checker's is its own CheckerVerdict.
   */
  check: CheckerResult;
  stats: RunStats;
  /** What the target saw, as figures for the report, when its cluster observes anything (Cluster.observe). */
  observations?: Observations;
  replay: string;
  history: Op[];
  /** What each reporter wrote, by its name (`html`: the run's report.html). */
  reports: Record<string, string>;
  /** The run's report.html, when the html reporter ran. */
  report?: string;
}

export interface RunOptions {
  progress?: (p: RunProgress) => void;
  /** Where the definition's names are looked up: unless given, faultline's own and the definition's plugins'. */
  registry?: Registry;
  /** What to write once the results are stored (reports/reporters.ts has the HTML report and the store index). */
  reporters?: readonly Reporter[];
}

/**
 * A whole test, Jepsen's `run!`: start the target in the runtime, run `concurrency` logical processes of the
 * workload against it while the nemesis breaks it on schedule, heal, recover, make the final reads, record every
 * op as it happens, then check the history and store the results.
 *
 * The definition is checked against the registry first, whoever made it: a test that does not fit together
 * (a target that does not serve the workload, an option nobody takes) is refused before anything starts or is stored.
/**
 * A whole test, Jepsen's `run!`: start the target in the runtime, run `concurrency` logical processes of the
 * workload against it while the nemesis breaks it on schedule, heal, recover, make the final reads, record every
 * op as it happens, then check the history and store the results.
 *
 * The definition is checked against the registry first, whoever made it: a test that does not fit together
 * (a target that does not serve the workload, an option nobody takes) is refused before anything starts or is stored.
 * Once it is accepted, every run leaves a record: one that cannot start (Docker unreachable), crashes, or is stopped
 * by SIGINT or SIGTERM stores its status and reason (StoppedRecord), and the error goes on to the CLI's exit code.
 */
export async function runTest(def: TestDefinition, options: RunOptions = {}): Promise<RunOutcome> {
  const registry = options.registry ?? (await registryWith(def.plugins ?? []));
  parseDefinition(def, registry.definitions());
  const workload = registry.workload(def.workload);
  const checker = registry.checker(workload.checker);
  const model = workload.model === undefined ? undefined : registry.model(workload.model);
  preflight(workload, def.seed, def.options);
  const progress = options.progress;
  const runtime = runtimeFor(def, registry, { localImage: builtinLocalImage() });
  const info = registry.target(def.runtime, def.target);
  // A peerless target's network faults are the proxy's where the runtime has one: they need it in front as well.
  const madeKinds = def.nemesis.faults.flatMap(faultsOf).map((f) => madeAs(f.kind, info?.peerless === true, registry.faultsOf(def.runtime)));
  const startOptions: StartOptions = {
    nodes: Array.isArray(def.nodes) ? def.nodes.length : def.nodes,
    bug: def.bug,
    seed: def.seed,
    options: def.options,
    clientFaults: madeKinds.some(isClientFault),
    clockFaults: def.nemesis.faults.flatMap(faultsOf).some((f) => f.kind === 'clock'),
  };
  // What the runtime can refuse from the declarations alone (a target its local image cannot serve) is refused like
  // the registry's refusals, with nothing stored.
  runtime.refuse?.(def.target, startOptions);

  // The test is accepted: from here on, however the run ends, the store keeps its record.
  const runDir = await createRunDir(def.store, def.name);
  const log = new RunLog(runDir);
  const replay = replayCommand(def);
  log.info(`test ${def.name}: ${replay}`);
  for (const w of definitionWarnings(def)) log.warn(w);
  // History times are the runtime's (virtual in the simulation), in ns, so a seed reproduces the history exactly.
  // Opened before the cluster starts, so a run that cannot start still has a history to check (an empty one).
  const recorder = HistoryRecorder.open(runDir, { clock: () => Math.round(runtime.now() * 1e6) });
  const history: Op[] = [];
  const stopped = new StoppedRecord({ def, runDir, log, recorder, history, replay, reporters: options.reporters ?? [] });
  const unrecord = recordOnSignal((signal) => stopped.write('interrupted', signal));
  try {
    const record = (op: Parameters<HistoryRecorder['record']>[0]) => {
      // A signal's record is written while the run goes on: what it stored is what the history holds.
      if (!stopped.ended) history.push(recorder.record(op));
    };
    // An exception in any of the run's callbacks (a client, the generator, the nemesis) ends the run: it is kept
    // here and thrown from `drive`, whichever runtime called the callback (the simulation's loop or a timer).
    let thrown: { error: unknown } | undefined;
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        try {
          fn(...args);
        } catch (error) {
          thrown ??= { error };
        }
      };
    const clock: Clock = { now: () => runtime.now(), at: (ms, fn) => runtime.at(ms, guard(fn)) };
    const drive = async (finished: () => boolean) => {
      await runtime.drive(() => thrown !== undefined || finished());
      if (thrown !== undefined) throw thrown.error;
    };

    const cluster = await runtime.start(def.target, startOptions);
    // Before the first fault: a cluster we do not own journals its faults in the run's directory.
    cluster.attach?.({ dir: runDir, log: (line) => stopped.note(line) });
    const rng = new Rng(def.seed);
    const generator = processGenerator(workload.generator(def.seed, def.options));
    const limitMs = def.timeLimit * 1000;
    const meanGapMs = def.rate ? (1000 * def.concurrency) / def.rate : MAX_THINK_MS / 2;
    const pauses = new ProcessPauses();
    const crashes = new ProcessCrashes();
    /** Running processes, and whether each has an op in flight (a pause stalls a process between ops). */
    const busy = new Map<number, boolean>();
    /** Each running process's client (a crash is the client's own where it has a hook). */
    const clients = new Map<number, Client>();
    const control: ProcessControl = {
      running: () => [...busy.keys()],
      critical: (o) => (generator.critical?.() ?? []).filter((p) => (o?.inFlight === true ? busy.has(p) : busy.get(p) === false)),
      stall: (ps) => pauses.stall(ps),
      resume: (ps) => pauses.resume(ps),
      crash: (ps) => {
        for (const p of ps) {
          const client = clients.get(p);
          if (client !== undefined) crashes.crash(p, client);
        }
      },
    };
    const bystanders = info?.bystanders ?? [];
    // The nemesis sees the cluster without its bystanders (a lock's protected resource).
    const aimed = { nodes: cluster.nodes.filter((n) => !bystanders.includes(n)), faults: cluster.faults, primaries: cluster.primaries?.bind(cluster) };
    const aiming = { roles: info?.roles?.(cluster.nodes), aims: info?.aims, peerless: info?.peerless === true };
    const nemesis = new Nemesis(aimed, clock, rng, record, def.nemesis.faults, def.nemesis.interval * 1000, control, aiming);

    let phase: RunProgress['phase'] = 'main';
    let nextProcess = def.concurrency;
    let observations: Observations | undefined;
    let inFlight = 0;
    let finalLeft = 0;

    /** One op by one process; `then` runs when it completes, with its completion. */
    const perform = (process: number, client: Client, op: ClientOp, then: (c: Completion) => void) => {
      inFlight++;
      record({ process, type: 'invoke', f: op.f, key: op.key, value: op.value });
      client.invoke(
        op,
        guard((c) => {
          inFlight--;
          const done: Parameters<typeof record>[0] = { ...extraOf(c), process, type: c.type, f: op.f, key: op.key, value: c.value ?? op.value };
          if (c.error !== undefined) done.error = c.error;
          record(done);
          then(c);
        }),
      );
    };

    /**
     * One op of a process the harness crashes (its client has no crash hook): the op is sent, so its outcome is
     * unknown, and it is recorded `info` at once; its late completion is nobody's (the process is dead, its client
     * about to be closed). Recorded invoke, then info, as perform records them, with nothing left in flight.
     */
    const crashAt = (process: number, client: Client, op: ClientOp, then: (c: Completion) => void) => {
      record({ process, type: 'invoke', f: op.f, key: op.key, value: op.value });
      client.invoke(op, () => {});
      const c: Completion = { type: 'info', error: HARNESS_CRASH_ERROR };
      record({ process, type: 'info', f: op.f, key: op.key, value: op.value, error: HARNESS_CRASH_ERROR });
      then(c);
    };

    /**
     * A logical process in the main phase: ops until the time limit, each after its think time (plus the
     * generator's own delay) and once no pause stalls it; an info retires it for a fresh id. A process stalled by
     * the nemesis invokes nothing until resumed (the time limit is checked again then). A process the nemesis crashed
     * ends its op `info` and is retired likewise.
     */
    const worker = (process: number, client: Client) => {
      const retire = () => {
        busy.delete(process);
        clients.delete(process);
      };
      if (runtime.now() >= limitMs) {
        retire();
        return;
      }
      busy.set(process, false);
      clients.set(process, client);
      const { op, delayMs } = generator.next(process);
      const invoke = () =>
        pauses.whenRunning(process, () => {
          if (runtime.now() >= limitMs) {
            retire();
            return;
          }
          busy.set(process, true);
          (crashes.dueAt(process) ? crashAt : perform)(process, client, op, (c) => {
            generator.update?.(process, op, c);
            let p = process;
            let next = client;
            if (c.type === 'info') {
              retire();
              client.close();
              p = nextProcess++;
              next = cluster.client(p);
            } else {
              busy.set(process, false);
            }
            clock.at(rng.next() * 2 * meanGapMs, () => worker(p, next));
          });
        });
      if (delayMs === undefined) invoke();
      else clock.at(delayMs, invoke);
    };

    const finalReads = () => {
      phase = 'final';
      const ops = workload.finalOps();
      finalLeft = ops.length;
      for (const op of ops) {
        const p = nextProcess++;
        perform(p, cluster.client(p), op, () => finalLeft--);
      }
    };

    for (let p = 0; p < def.concurrency; p++) clock.at(0, () => worker(p, cluster.client(p)));
    nemesis.start();
    let lastReport = -Infinity;
    const report = () => {
      if (progress && runtime.now() - lastReport >= 1000) {
        lastReport = runtime.now();
        progress({ at: runtime.now(), ops: history.length, fault: nemesis.current, phase });
      }
    };

    try {
      // Main phase: until the time limit has passed and every op in flight has completed (or timed out).
      await drive(() => {
        report();
        return runtime.now() >= limitMs && inFlight === 0;
      });
      // A real runtime's heal takes time: the recovery period starts once every fault is undone.
      await nemesis.stop();
      phase = 'recovery';
      stopped.note(`healed at ${runtime.now().toFixed(0)} ms; recovering for ${RECOVERY_MS} ms`);
      let recovered = false;
      clock.at(RECOVERY_MS, () => {
        recovered = true;
        finalReads();
      });
      await drive(() => {
        report();
        return recovered && finalLeft === 0;
      });
      // Once the final reads are in and while the nodes still run: what the target saw, for the report.
      observations = await observe(cluster, history, (line) => {
        if (!stopped.ended) log.warn(line);
      });
    } finally {
      recorder.close();
      await cluster.stop();
    }

    progress?.({ at: runtime.now(), ops: history.length, fault: 'none', phase: 'check' });
    // The workload's own checker. Every key is checked, even after one fails: the report lists each key's verdict,
    // like Jepsen's independent checker.
    const result = await checker.check(history, { model, cancelOnInvalid: false });
    // A signal that came first has written the run's record and is about to exit: nothing more may be stored.
    if (!stopped.claim()) return await new Promise<never>(() => {});
    unrecord();
    const stats = runStats(history);
    const results = { valid: result.valid, status: 'ok' as const, test: def, replay, checker: result, stats, ...(observations !== undefined && { observations }) };
    await writeResults(runDir, results);
    await updateLatest(def.store, runDir);
    const reports: Record<string, string> = {};
    for (const r of options.reporters ?? []) {
      const path = await r.write({ def, runDir, history, checker, result, stats, replay, results, ...(observations !== undefined && { observations }) });
      if (path !== undefined) reports[r.name] = path;
    }
    log.info(`verdict ${String(result.valid)} after ${history.length} ops`);
    log.close();
    return {
      valid: result.valid,
      runDir,
      check: result as CheckerResult,
      stats,
      ...(observations !== undefined && { observations }),
      replay,
      history,
      reports,
      ...(reports.html !== undefined && { report: reports.html }),
    };
  } catch (e) {
    unrecord();
    // The user's to fix (Docker unreachable, a node that does not answer) is an `error`; anything else, faultline's.
    await stopped.write(isUserError(e) ? 'error' : 'crashed', e);
    throw e;
  }
}

/**
 * The target's observations, checked (checkObservations). They are never judged, so a target whose `observe` throws,
 * or returns figures that do not check, costs the report its figures, not the run its verdict: the reason goes to
 * run.log.
 */
async function observe(cluster: Cluster, history: readonly Op[], warn: (line: string) => void): Promise<Observations | undefined> {
  if (!cluster.observe) return undefined;
  try {
    return checkObservations(await cluster.observe(history));
  } catch (e) {
    warn(`the target's observations are left out (no figures in the report): ${describeError(e)}`);
    return undefined;
  }
}
