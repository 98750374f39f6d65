import type { ExternalNode, SshSettings } from '../../../config/cluster-spec.js';
import { usageError } from '../../../errors.js';
import type { Grudge } from '../../../nemesis/grudge.js';
import { FAULT_CHAINS, isClean, netFaultScript, NO_NET_FAULTS, type NetFaults } from '../../docker/iptables.js';
import type { FaultMethod, MethodContext, UndoStep } from '../method.js';
import { collectNodeLogs } from './collect-logs.js';
import { SshConnection } from './connection.js';
import { sshLogin } from './login.js';
import { canKill, canPause, matchedNothing, shellQuote, signalScript, startScript, type ServerProcess } from './process-scripts.js';

/**
 * Jepsen's way with machines the user can log into: one SSH connection per node for the whole run, and each fault a
 * command on it. Partitions and packet loss are iptables rules in faultline's own chains, hooked into INPUT and
 * OUTPUT (the script the Docker runtime runs in its containers' namespaces: replacing the faults rewrites the
 * chains, healing flushes them, and the node's own rules are never touched); kill, pause and resume are signals to
 * the server's process, by command-line pattern or systemd unit, and restart the test's start command or
 * `systemctl start`. No latency: netem is missing from the kernels this must run on, so the config refuses
 * `latency: ssh` rather than make it silently weaker.
 *
 * What it can do shows in the calls it has: kill and restart need a way to start the server again (a start command
 * with a pattern, or a unit), pause and resume a pattern or a unit, collectLogs some `logs` globs.
 *
 * Every fault is journaled before it is applied, with its undo as a script over SSH that `faultline heal` can run
 * knowing only the login (undo.ts): the chains' flush for the network, the start command for a kill, SIGCONT for a
 * pause.
 */
export class SshMethod implements FaultMethod {
  readonly name = 'ssh' as const;
  readonly kill?: (node: string) => Promise<void>;
  readonly restart?: (node: string) => Promise<void>;
  readonly pause?: (node: string) => Promise<void>;
  readonly resume?: (node: string) => Promise<void>;
  readonly collectLogs?: (dir: string) => Promise<void>;

  /** Each node's network faults as they stand, and the journal entry that undoes them all. */
  private readonly net = new Map<string, NetFaults>();
  private netEntry: { id: string; nodes: readonly string[] } | undefined;
  /** The network change under way: the next waits for it. */
  private netTurn: Promise<void> = Promise.resolve();
  /** The journal entries of the nodes killed and paused here, not yet undone. */
  private readonly killed = new Map<string, string>();
  private readonly paused = new Map<string, string>();

  private constructor(
    private readonly ctx: MethodContext,
    settings: SshSettings,
    private readonly conns: ReadonlyMap<string, SshConnection>,
  ) {
    const p = settings.process;
    if (canKill(p)) {
      this.kill = (node) => this.killNode(node, p);
      this.restart = (node) => this.restartNode(node, p);
    }
    if (canPause(p)) {
      this.pause = (node) => this.pauseNode(node, p);
      this.resume = (node) => this.resumeNode(node, p);
    }
    const logs = settings.logs ?? [];
    if (logs.length > 0) this.collectLogs = (dir) => this.collect(dir, logs);
  }

  /**
   * Logs in to every node (a node that refuses is a one-line error naming it), and checks that the server's pattern
   * matches a process on each: a pattern that matches nothing would make every kill and pause a silent no-op.
   */
  static async open(ctx: MethodContext, settings: SshSettings): Promise<SshMethod> {
    const opened = await Promise.allSettled(ctx.nodes.map((n) => SshConnection.open(n.name, sshLogin(n, settings), (line) => ctx.log(line))));
    const conns = new Map(opened.flatMap((r, i) => (r.status === 'fulfilled' ? [[ctx.nodes[i].name, r.value] as const] : [])));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const method = new SshMethod(ctx, settings, conns);
    try {
      if (failed) throw failed.reason;
      const pattern = settings.process?.pattern;
      if (pattern !== undefined) await Promise.all(ctx.nodes.map((n) => method.checkPattern(n.name, pattern)));
    } catch (e) {
      await method.close();
      throw e;
    }
    return method;
  }

  async partition(grudge: Grudge): Promise<void> {
    for (const [node, peers] of Object.entries(grudge)) for (const p of [node, ...peers]) this.node(p);
    return this.setNet('partition', (f, node) => ({ ...f, dropFrom: (grudge[node] ?? []).map((p) => ipOf(this.node(p))) }));
  }

  async lose(nodes: readonly string[], p: number): Promise<void> {
    if (!(p >= 0 && p <= 1)) throw new Error(`ssh: packet loss must be a probability in [0, 1], got ${p}`);
    for (const n of nodes) this.node(n);
    return this.setNet('loss', (f, node) => (nodes.includes(node) ? { ...f, loss: p } : f));
  }

  async healNet(): Promise<void> {
    return this.setNet('heal', () => NO_NET_FAULTS);
  }

  async close(): Promise<void> {
    await Promise.all([...this.conns.values()].map((c) => c.close()));
  }

  /**
   * Changes every node's rules by `change`, one change at a time (a partition and a loss from two nemeses compose,
   * each applied to what the other left).
   */
  private setNet(kind: 'partition' | 'loss' | 'heal', change: (current: NetFaults, node: string) => NetFaults): Promise<void> {
    const turn = this.netTurn.then(() => this.applyNet(kind, new Map(this.ctx.nodes.map((n) => [n.name, change(this.netOf(n.name), n.name)]))));
    this.netTurn = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Makes every node's rules `next`: the nodes whose rules change get the script that rewrites their chains. While
   * any fault stands, one journal entry undoes them all; it is written before the rules change (covering the nodes
   * the previous entry covered, whose rules this may be rewriting), and the previous entry is healed after.
   */
  private async applyNet(kind: 'partition' | 'loss' | 'heal', next: ReadonlyMap<string, NetFaults>): Promise<void> {
    const changed = [...next].filter(([n, f]) => !sameNet(this.netOf(n), f)).map(([n]) => n);
    const faulted = [...next].filter(([, f]) => !isClean(f)).map(([n]) => n);
    const previous = this.netEntry;
    const covered = [...new Set([...(previous?.nodes ?? []), ...faulted])];
    const id = faulted.length > 0 ? this.ctx.journal.applying(kind, covered, covered.map((n) => this.undo(n, 'flush faultline iptables chains', netFaultScript(NO_NET_FAULTS)))) : undefined;
    const results = await Promise.allSettled(
      changed.map(async (n) => {
        await this.conn(n).run(describeNet(next.get(n)!), netScript(next.get(n)!, this.conn(n).sshdPort));
        this.net.set(n, next.get(n)!);
      }),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (id !== undefined || failure === undefined) {
      if (previous) this.ctx.journal.healed(previous.id);
      this.netEntry = id === undefined ? undefined : { id, nodes: covered };
    }
    if (failure) throw failure.reason;
  }

  private async killNode(node: string, p: ServerProcess): Promise<void> {
    const id = this.ctx.journal.applying('kill', [node], [this.undo(node, `start the server ${describeStart(p)}`, startScript(p))]);
    const { stdout } = await this.conn(node).run(`kill ${describeProcess(p)}`, signalScript(p, 'KILL'));
    if (matchedNothing(stdout)) this.ctx.log(`ssh: ${node}: kill: no process matched ${describeProcess(p)} (already down?)`);
    if (this.killed.has(node)) this.ctx.journal.healed(this.killed.get(node)!);
    this.killed.set(node, id);
    // A process stopped (paused) when killed is gone: its resume has nothing left to do.
    this.healEntry(this.paused, node);
  }

  private async restartNode(node: string, p: ServerProcess): Promise<void> {
    await this.conn(node).run(`restart ${describeStart(p)}`, startScript(p));
    this.healEntry(this.killed, node);
  }

  private async pauseNode(node: string, p: ServerProcess): Promise<void> {
    const id = this.ctx.journal.applying('pause', [node], [this.undo(node, `resume the server ${describeProcess(p)}`, signalScript(p, 'CONT'))]);
    const { stdout } = await this.conn(node).run(`pause ${describeProcess(p)}`, signalScript(p, 'STOP'));
    if (matchedNothing(stdout)) this.ctx.log(`ssh: ${node}: pause: no process matched ${describeProcess(p)} (down?)`);
    if (this.paused.has(node)) this.ctx.journal.healed(this.paused.get(node)!);
    this.paused.set(node, id);
  }

  private async resumeNode(node: string, p: ServerProcess): Promise<void> {
    await this.conn(node).run(`resume ${describeProcess(p)}`, signalScript(p, 'CONT'));
    this.healEntry(this.paused, node);
  }

  /** Every node's logs, side by side: a node that cannot be reached is noted in run.log, and the others still copied. */
  private async collect(dir: string, globs: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(this.ctx.nodes.map((n) => collectNodeLogs(this.conn(n.name), globs, dir, (line) => this.ctx.log(line))));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.ctx.log(`ssh: ${this.ctx.nodes[i].name}: logs not copied: ${(r.reason as Error).message}`);
    });
  }

  private async checkPattern(node: string, pattern: string): Promise<void> {
    const { code } = await this.conn(node).run(`find the server (pgrep -f ${pattern})`, `pgrep -f -- ${shellQuote(pattern)} >/dev/null`, { allowFailure: true });
    if (code === 1) throw usageError(`ssh: ${node}: no process matches the server's pattern ${shellQuote(pattern)} (ssh.process.pattern, what kill and pause signal)`);
    if (code !== 0) throw usageError(`ssh: ${node}: pgrep failed (exit ${code}): is procps installed?`);
  }

  private healEntry(entries: Map<string, string>, node: string): void {
    const id = entries.get(node);
    if (id === undefined) return;
    entries.delete(node);
    this.ctx.journal.healed(id);
  }

  /** An undo step, its script opened by a comment that says what it undoes (in the journal, and in `faultline heal`'s log). */
  private undo(node: string, what: string, script: string): UndoStep {
    return { method: 'ssh', login: this.conn(node).login, script: `# ${what.replace(/\s+/g, ' ')}\n${script}` };
  }

  private netOf(node: string): NetFaults {
    return this.net.get(node) ?? NO_NET_FAULTS;
  }

  private node(name: string): ExternalNode {
    const n = this.ctx.nodes.find((x) => x.name === name);
    if (n === undefined) throw new Error(`ssh: no node named ${name} (nodes: ${this.ctx.nodes.map((x) => x.name).join(', ')})`);
    return n;
  }

  private conn(node: string): SshConnection {
    const c = this.conns.get(node);
    if (c === undefined) throw new Error(`ssh: no connection to ${node}`);
    return c;
  }
}

/**
 * A node's rules for `f`: the script the Docker runtime runs in its containers, and, while any fault stands, the
 * harness's own connection spared by a RETURN at the head of both chains (traffic to and from sshd's port). Packet
 * loss drops from every address, and a partition drops the harness's own when it runs on a peer: either would
 * otherwise cut the connection that must heal them. Jepsen's control connection takes its chances; ours does not.
 */
function netScript(f: NetFaults, sshdPort: number): string {
  const script = netFaultScript(f);
  if (isClean(f)) return script;
  return [
    script,
    `iptables -w -I ${FAULT_CHAINS.in} 1 -p tcp --dport ${sshdPort} -j RETURN`,
    `iptables -w -I ${FAULT_CHAINS.out} 1 -p tcp --sport ${sshdPort} -j RETURN`,
  ].join('\n');
}

/** The address a node's peers know it by: what its grudge-holders drop. */
function ipOf(n: ExternalNode): string {
  return n.ip ?? n.host;
}

function sameNet(a: NetFaults, b: NetFaults): boolean {
  return a.loss === b.loss && a.dropFrom.length === b.dropFrom.length && a.dropFrom.every((x, i) => x === b.dropFrom[i]);
}

function describeNet(f: NetFaults): string {
  if (isClean(f)) return 'iptables: flush faultline chains';
  const parts = [f.dropFrom.length > 0 && `drop from ${f.dropFrom.join(' ')}`, f.loss > 0 && `lose ${f.loss}`].filter(Boolean);
  return `iptables: ${parts.join(', ')}`;
}

function describeProcess(p: ServerProcess): string {
  return p.pattern !== undefined ? `(pkill -f ${shellQuote(p.pattern)})` : `(systemctl kill ${p.unit})`;
}

function describeStart(p: ServerProcess): string {
  return `(${p.start ?? `systemctl start ${p.unit}`})`;
}
