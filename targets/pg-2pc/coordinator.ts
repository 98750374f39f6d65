import { parseAddress } from '../../harness/hosting/address.js';
import { TcpTransport } from '../../harness/hosting/tcp-transport.js';
import { describe, refusedByServer, sqlState, UNDEFINED_OBJECT } from '../postgres/errors.js';
import type { Rows } from '../postgres/session.js';
import { DecisionLog } from './decision-log.js';
import { Participant, type Session } from './participant.js';
import {
  ACCOUNTS_PER_PARTICIPANT,
  gidOf,
  homeOf,
  idOfGid,
  RECOVERING,
  type Behaviour,
  type ParticipantFinalRead,
  type ParticipantRead,
  type Reply,
  type Request,
  type Transfer,
} from './protocol.js';
import { finalRead, lockedRead, preparedGids, prepareTransfer, resolvePrepared } from './statements.js';

/** How often the coordinator looks for prepared transactions nobody is driving, and resolves them (see sweep). */
const SWEEP_MS = 2000;
/** Retries of a COMMIT/ROLLBACK PREPARED or of recovery back off from this to RETRY_MAX_MS. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;
/** The final read waits this long at most for transfers still finishing (a commit retried after a heal). */
const FINAL_SETTLE_MS = 20_000;
/** Sweeps (and reads) of the final read at most, and the pause between them. */
const FINAL_SWEEPS = 6;
const FINAL_SWEEP_PAUSE_MS = 500;

export interface CoordinatorOptions {
  id: string;
  /** `host:port` to accept clients on. */
  listen: string;
  /** The participants in order, name → `host:port` of their PostgreSQL (account a lives on the (a mod P)-th). */
  participants: Readonly<Record<string, string>>;
  /** Where the decision log lives (kept across restarts of the container). */
  dataDir: string;
  behaviour: Behaviour;
  log?: (line: string) => void;
}

export interface RunningCoordinator {
  readonly address: string;
  /** Resolves once recovery is done and clients are served. */
  readonly recovered: Promise<void>;
  close(): Promise<void>;
}

/** A participant's share of a transfer: the balance changes it makes there. */
interface Branch {
  participant: Participant;
  updates: { account: number; delta: number }[];
}

/** How phase 1 ended at one participant: prepared, certainly not prepared, or perhaps prepared (roll it back). */
type Vote = { vote: 'prepared' } | { vote: 'refused' | 'maybe'; reason: string };

/**
 * The two-phase-commit coordinator of the pg-2pc target: a process of its own, serving the harness's clients over
 * the process transport, and speaking SQL to PostgreSQL participants.
 *
 * A transfer prepares at each participant it touches, in participant order (BEGIN; UPDATE; INSERT marker; PREPARE
 * TRANSACTION 'fl-<id>', sent at once). Taking locks in one global order means transfers cannot deadlock
 * across participants, which PostgreSQL could not detect; lock_timeout still bounds waits for a transaction that
 * is prepared and waiting for its commit. If every participant prepared, the decision is written to the decision
 * log (fsynced) and only then is COMMIT PREPARED sent, one participant after another, each retried until it
 * succeeds; the reply is `ok` once all have committed. If any did not prepare, the decision is abort (never
 * logged: presumed abort), what was or may have been prepared is rolled back in the background, and the reply is
 * `fail`: with the decision abort and recovery presuming abort, the transfer can no longer commit anywhere.
 *
 * Recovery, on start and before serving: every prepared `fl-` transaction at every participant is committed if
 * the log holds its commit decision, rolled back otherwise. The same rule runs every few seconds (sweep) for
 * transactions nobody is driving: a PREPARE that timed out here but landed later at a participant (paused, cut
 * off) would otherwise hold its locks forever.
 */
export class Coordinator {
  private readonly participants: Participant[];
  private readonly decisionLog: DecisionLog | undefined;
  /** This process's decisions (the log holds those of earlier processes too, in the correct mode). */
  private readonly decisions = new Map<number, 'commit' | 'abort'>();
  /** Transfers in phase 1: prepared somewhere perhaps, not decided yet. The sweep leaves them alone. */
  private readonly undecided = new Set<number>();
  /** Transfers some task is still driving (phase 1, commits, background rollbacks): id → how many tasks. */
  private readonly busy = new Map<number, number>();
  /** Everything still under way for some transfer, for the final read to wait on. */
  private readonly work = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private recovered = false;
  private closed = false;

  constructor(
    participants: Readonly<Record<string, string>>,
    dataDir: string,
    private readonly behaviour: Behaviour,
    private readonly log: (line: string) => void,
  ) {
    this.participants = Object.entries(participants).map(([name, addr], i) => Participant.at(name, i, parseAddress(addr, `address of participant ${name}`)));
    if (this.participants.length === 0) throw new Error('a coordinator needs participants');
    this.decisionLog = behaviour.decisionLog ? new DecisionLog(dataDir) : undefined;
  }

  /** Recovers (unless the no-recovery bug is on), then starts sweeping; clients are served from then on. */
  async start(): Promise<void> {
    if (this.behaviour.recovery) await this.recover();
    else this.log('recovery skipped (bug no-recovery): prepared transactions of earlier runs stay in doubt');
    this.recovered = true;
    const tick = () => {
      if (this.closed) return;
      void this.sweep().finally(() => this.later(SWEEP_MS, tick));
    };
    this.later(SWEEP_MS, tick);
  }

  async handle(req: Request): Promise<Reply> {
    if (req.type === 'status') return { type: 'ok', recovered: this.recovered };
    if (!this.recovered) return { type: 'fail', error: RECOVERING };
    switch (req.type) {
      case 'transfer': {
        const bad = this.invalid(req);
        if (bad) return { type: 'fail', error: bad };
        return this.tracked(this.transfer(req));
      }
      case 'read':
        if (!Number.isSafeInteger(req.since) || req.since < 0) return { type: 'fail', error: `bad since ${JSON.stringify(req.since)}` };
        return this.read(req.since);
      case 'final-read':
        return this.finalRead();
      default:
        return { type: 'fail', error: `unknown request ${JSON.stringify((req as { type?: unknown }).type)}` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.participants) p.close();
    this.decisionLog?.close();
  }

  // ---- transfers ------------------------------------------------------------------------------------------------

  private invalid(t: Transfer): string | undefined {
    const accounts = this.participants.length * ACCOUNTS_PER_PARTICIPANT;
    if (!Number.isSafeInteger(t.id) || t.id < 0) return `bad transfer id ${JSON.stringify(t.id)}`;
    for (const a of [t.from, t.to]) if (!Number.isSafeInteger(a) || a < 0 || a >= accounts) return `no account ${JSON.stringify(a)} (accounts are 0..${accounts - 1})`;
    if (!Number.isSafeInteger(t.amount)) return `bad amount ${JSON.stringify(t.amount)}`;
    if (this.decisions.has(t.id) || this.undecided.has(t.id) || this.decisionLog?.has(t.id)) return `transfer ${t.id} was already run`;
    return undefined;
  }

  private async transfer(t: Transfer): Promise<Reply> {
    const branches = this.branchesOf(t);
    this.undecided.add(t.id);
    this.hold(t.id);
    try {
      const prepared: Participant[] = [];
      const earlyCommits: Promise<void>[] = [];
      let failed: { participant: Participant; vote: Exclude<Vote, { vote: 'prepared' }> } | undefined;
      for (const b of branches) {
        const v = await this.prepare(b, t.id);
        if (v.vote !== 'prepared') {
          failed = { participant: b.participant, vote: v };
          break;
        }
        prepared.push(b.participant);
        // The bug: this participant commits before the others have voted.
        if (this.behaviour.commitEarly) earlyCommits.push(this.background(t.id, () => this.resolveAt(b.participant, t.id, 'commit')));
      }
      if (!failed) {
        // The decision is durable before the first COMMIT PREPARED: a crash from here on is recovered as a commit.
        this.decisionLog?.commit(t.id, prepared.map((p) => p.name));
        this.decide(t.id, 'commit');
        if (this.behaviour.commitEarly) await Promise.all(earlyCommits);
        // One after another (the natural loop): without the log, a crash between two of them splits the transfer.
        else for (const p of prepared) await this.resolveAt(p, t.id, 'commit');
        return { type: 'ok' };
      }
      this.decide(t.id, 'abort');
      const rollBack = this.behaviour.commitEarly ? [] : [...prepared];
      if (failed.vote.vote === 'maybe') rollBack.push(failed.participant);
      for (const p of rollBack) void this.background(t.id, () => this.resolveAt(p, t.id, 'rollback'));
      return { type: 'fail', error: `${failed.participant.name} did not prepare: ${failed.vote.reason}` };
    } finally {
      this.release(t.id);
    }
  }

  /** The balance changes at each participant the transfer touches, in participant order. */
  private branchesOf(t: Transfer): Branch[] {
    const byIndex = new Map<number, Branch>();
    const add = (account: number, delta: number) => {
      const p = this.participants[homeOf(account, this.participants.length)];
      const b = byIndex.get(p.index) ?? { participant: p, updates: [] };
      b.updates.push({ account, delta });
      byIndex.set(p.index, b);
    };
    add(t.from, -t.amount);
    add(t.to, t.amount);
    return [...byIndex.values()].sort((a, b) => a.participant.index - b.participant.index);
  }

  /** Phase 1 at one participant, sent at once: BEGIN; UPDATE…; INSERT marker; PREPARE TRANSACTION. */
  private async prepare(b: Branch, id: number): Promise<Vote> {
    let s: Session;
    try {
      s = await b.participant.session();
    } catch (e) {
      return { vote: 'refused', reason: `connect: ${describe(e)}` };
    }
    try {
      const results = await s.run((sql) => prepareTransfer(sql, id, b.updates));
      const last = results[results.length - 1];
      // PREPARE TRANSACTION of a transaction that failed answers ROLLBACK instead.
      if (last?.command !== 'PREPARE TRANSACTION') return { vote: 'refused', reason: `PREPARE TRANSACTION answered ${String(last?.command)}` };
      const missing = b.updates.find((_, i) => results[1 + i]?.count !== 1);
      // Prepared, but wrong: it must not commit (only a schema someone changed by hand gets here).
      if (missing) return { vote: 'maybe', reason: `no row for account ${missing.account}` };
      return { vote: 'prepared' };
    } catch (e) {
      // Refused by the server: nothing is prepared (a statement before PREPARE failed, or PREPARE itself did).
      // Anything else (no answer in time, a reset, a FATAL) and it may be.
      return { vote: refusedByServer(e) ? 'refused' : 'maybe', reason: describe(e) };
    } finally {
      s.release();
    }
  }

  /**
   * COMMIT PREPARED or ROLLBACK PREPARED at one participant, again and again until it is done: a participant must
   * not keep an in-doubt transaction (and its locks) once the decision is made. "Does not exist" means done: an
   * earlier attempt whose answer was lost, or a sweep, got there first.
   */
  private async resolveAt(p: Participant, id: number, action: 'commit' | 'rollback'): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await p.run((sql) => [resolvePrepared(sql, id, action)]);
        return;
      } catch (e) {
        if (sqlState(e) === UNDEFINED_OBJECT) return;
        if (attempt === 10) this.log(`${action === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED '${gidOf(id)}' at ${p.name} still failing: ${describe(e)}`);
      }
      await this.sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt));
    }
  }

  private decide(id: number, decision: 'commit' | 'abort'): void {
    this.decisions.set(id, decision);
    this.undecided.delete(id);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /**
   * Strict two-phase locking across the participants: at each, in participant order, every account row is locked
   * FOR SHARE (waiting behind a prepared transfer until it commits there), then the markers are read; the locks go
   * only once every participant has answered. So no transfer can commit at one participant between the read of
   * another and the read of this one: the read is never fractured. A COMMIT that fails means a session (and its
   * locks) may have been lost early: the read is then not vouched for, and fails.
   */
  private async read(since: number): Promise<Reply> {
    const sessions: Session[] = [];
    const participants: Record<string, ParticipantRead> = {};
    let done = false;
    try {
      for (const p of this.participants) {
        let s: Session;
        try {
          s = await p.session();
        } catch (e) {
          return { type: 'fail', error: `${p.name}: connect: ${describe(e)}` };
        }
        sessions.push(s);
        try {
          const r = await s.run((sql) => lockedRead(sql, since));
          participants[p.name] = { balances: balancesOf(r[1]), markers: markersOf(r[2]) };
        } catch (e) {
          return { type: 'fail', error: `${p.name}: ${describe(e)}` };
        }
      }
      const commits = await Promise.allSettled(sessions.map((s) => s.run((sql) => [sql`COMMIT`])));
      done = true;
      const bad = commits.findIndex((c) => c.status === 'rejected' || c.value[0]?.command !== 'COMMIT');
      if (bad >= 0) {
        const c = commits[bad];
        return { type: 'fail', error: `${this.participants[bad].name}: COMMIT ${c.status === 'rejected' ? describe(c.reason) : `answered ${String(c.value[0]?.command)}`}` };
      }
      return { type: 'ok', value: { since, participants } };
    } finally {
      if (!done) await Promise.allSettled(sessions.map((s) => s.run((sql) => [sql`ROLLBACK`])));
      for (const s of sessions) s.release();
    }
  }

  /**
   * After the faults: once the transfers still under way have finished (or FINAL_SETTLE_MS passed), each
   * participant's balances, markers and the `fl-` transactions still prepared. A sweep goes first; if the read still
   * shows prepared transactions the sweep resolves (a PREPARE from a participant's queue that landed just now), it
   * sweeps and reads again, a few times. What this coordinator will not resolve is reported at once.
   */
  private async finalRead(): Promise<Reply> {
    await this.settle(FINAL_SETTLE_MS);
    for (let round = 1; ; round++) {
      await this.sweep();
      const r = await this.readEverything();
      if (typeof r === 'string') return { type: 'fail', error: r };
      const left = Object.values(r).some((p) => p.prepared.some((id) => this.resolvable(id)));
      if (!left || round >= FINAL_SWEEPS) return { type: 'ok', value: { participants: r } };
      await this.sleep(FINAL_SWEEP_PAUSE_MS);
    }
  }

  /** Every participant's state (or why it could not be read). */
  private async readEverything(): Promise<Record<string, ParticipantFinalRead> | string> {
    const reads = await Promise.allSettled(this.participants.map((p) => p.run(finalRead)));
    const participants: Record<string, ParticipantFinalRead> = {};
    for (const [i, r] of reads.entries()) {
      const name = this.participants[i].name;
      if (r.status === 'rejected') return `${name}: ${describe(r.reason)}`;
      const [, accounts, markers, prepared] = r.value;
      participants[name] = { balances: balancesOf(accounts), markers: markersOf(markers), prepared: idsOf(prepared).sort((a, b) => a - b) };
    }
    return participants;
  }

  /** Resolves once no transfer is under way, or after `ms`. */
  private async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.work.size > 0 && Date.now() < deadline && !this.closed) {
      await Promise.race([Promise.allSettled([...this.work]), this.sleep(Math.max(0, deadline - Date.now()))]);
    }
  }

  // ---- recovery -------------------------------------------------------------------------------------------------

  /** Every prepared `fl-` transaction at every participant: committed if logged, else rolled back; retried until done. */
  private async recover(): Promise<void> {
    let committed = 0;
    let rolledBack = 0;
    await Promise.all(
      this.participants.map(async (p) => {
        for (let attempt = 0; !this.closed; attempt++) {
          try {
            for (const id of await this.preparedAt(p)) {
              const commit = this.decisionLog?.has(id) ?? false;
              try {
                await p.run((sql) => [resolvePrepared(sql, id, commit ? 'commit' : 'rollback')]);
                if (commit) committed++;
                else rolledBack++;
              } catch (e) {
                if (sqlState(e) !== UNDEFINED_OBJECT) throw e;
              }
            }
            return;
          } catch (e) {
            if (attempt % 10 === 0) this.log(`recovery at ${p.name}: ${describe(e)} (retrying)`);
          }
          await this.sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt));
        }
      }),
    );
    this.log(`recovered: ${committed} prepared transaction(s) committed, ${rolledBack} rolled back (${this.decisionLog?.size ?? 0} commit decisions logged)`);
  }

  /**
   * Recovery's rule, for prepared transactions no task of this process is driving: a PREPARE that timed out here and
   * landed later, or a rollback that found nothing because its PREPARE had not landed yet.
   */
  private async sweep(): Promise<void> {
    await Promise.all(
      this.participants.map(async (p) => {
        let ids: number[];
        try {
          ids = await this.preparedAt(p);
        } catch {
          return; // unreachable now: the next sweep tries again
        }
        for (const id of ids.filter((x) => this.resolvable(x))) {
          const commit = this.decisions.get(id) === 'commit' || (!this.decisions.has(id) && (this.decisionLog?.has(id) ?? false));
          await p.run((sql) => [resolvePrepared(sql, id, commit ? 'commit' : 'rollback')]).catch(() => undefined);
        }
      }),
    );
  }

  /**
   * Whether the sweep may resolve a prepared transfer: not while it is in phase 1 (undecided) or a task drives it.
   * With the no-recovery bug, only this process's own transfers: what an earlier process left stays in doubt.
   */
  private resolvable(id: number): boolean {
    if (this.undecided.has(id) || this.busy.has(id)) return false;
    return this.behaviour.recovery || this.decisions.has(id);
  }

  private async preparedAt(p: Participant): Promise<number[]> {
    const [r] = await p.run((sql) => [preparedGids(sql)]);
    return idsOf(r);
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------------------

  private hold(id: number): void {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
  }

  private release(id: number): void {
    const n = (this.busy.get(id) ?? 1) - 1;
    if (n > 0) this.busy.set(id, n);
    else this.busy.delete(id);
  }

  /** A task of transfer `id` that may outlive its reply: the sweep leaves the transfer alone until it is done. */
  private background(id: number, task: () => Promise<void>): Promise<void> {
    this.hold(id);
    return this.tracked(task().finally(() => this.release(id)));
  }

  private tracked<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    const forget = () => this.work.delete(p);
    p.then(forget, forget);
    return p;
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return; // a closed coordinator's loops stop where they wait
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}

function balancesOf(rows: Rows): Record<string, number> {
  return Object.fromEntries((rows as unknown as { id: number; balance: number }[]).map((row) => [String(row.id), row.balance]));
}

/** The transfer ids of a query of prepared gids. */
function idsOf(rows: Rows): number[] {
  return (rows as unknown as { gid: string }[]).map((row) => idOfGid(row.gid)).filter((id): id is number => id !== undefined);
}

function markersOf(rows: Rows): number[] {
  return (rows as unknown as { txid: number }[]).map((row) => row.txid);
}

/**
 * Runs a coordinator as (part of) this OS process: listens at once (answering `recovering` until recovery is done),
 * recovers, then serves. `faultline coordinator pg-2pc …` is this plus argument parsing.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${new Date().toISOString()} ${options.id} ${line}\n`));
  const coordinator = new Coordinator(options.participants, options.dataDir, options.behaviour, log);
  let transport: TcpTransport | undefined = undefined;
  transport = new TcpTransport({
    id: options.id,
    listen: options.listen,
    peers: {},
    log,
    onMessage: (from, msg) => {
      if (!msg || typeof msg !== 'object') return;
      const { rid, ...req } = msg as { rid?: unknown } & Request;
      const reply = (r: Reply) => transport?.send(from, { ...r, rid });
      // A request whose handling broke here has an unknown outcome: the client records info.
      coordinator.handle(req as Request).then(reply, (e: unknown) => reply({ type: 'info', error: `coordinator: ${describe(e)}` }));
    },
  });
  const address = await transport.listen();
  log(`listening on ${address}`);
  const recovered = coordinator.start();
  recovered.catch((e: unknown) => log(`recovery failed: ${describe(e)}`));
  return {
    address,
    recovered,
    async close() {
      await coordinator.close();
      await transport.close();
    },
  };
}
