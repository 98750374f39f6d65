import type { ExecHook, ExternalNode } from '../../config/cluster-spec.js';
import { shellQuote } from '../../config/replay.js';
import type { NodeFaultKind } from '../../config/vocabulary.js';
import { usageError } from '../../errors.js';

/*
 * The user's shell templates for faults (cluster-spec.ts ExecHook): which placeholders each kind knows, the check
 * made before the run, and the substitution. Every value is shell-quoted, so a node name or an address can never
 * become shell syntax; the command is the user's, the values are only ever words in it.
 */

const NODE = ['node', 'host', 'port', 'ip', 'container'] as const;
/** A partition hook with one of these runs once per node and peer it must stop hearing. */
export const PEER_PLACEHOLDERS = ['peer', 'peer_host', 'peer_node'] as const;

/** What each kind's templates (the fault's and its heal's) may name. */
export const PLACEHOLDERS: Readonly<Record<NodeFaultKind, readonly string[]>> = {
  partition: [...NODE, ...PEER_PLACEHOLDERS, 'peers', 'grudge'],
  kill: NODE,
  'crash-loop': NODE,
  pause: NODE,
  // netem's words: `delay {ms}ms {jitter}ms` is the range the nemesis asks for (its middle, give or take half its width).
  latency: [...NODE, 'ms', 'jitter'],
  // `loss {percent}%` for netem; {p} is the probability itself (0 to 1).
  loss: [...NODE, 'p', 'percent'],
};

/**
 * Kinds that cannot be left to undo themselves: a partition, latency or loss stays until removed, and a paused
 * process until resumed. A kill's heal is the restart, and may be absent: a Kubernetes pod or a supervised service
 * comes back on its own.
 */
const HEAL_REQUIRED: ReadonlySet<NodeFaultKind> = new Set(['partition', 'pause', 'latency', 'loss']);

/**
 * `{name}`, a lower-case word in braces. `${var}` is the shell's own and is left alone, as is any other brace
 * (`{}` of find, `{ print }` of awk).
 */
const PLACEHOLDER = /(?<!\$)\{([a-z_]+)\}/g;

/** The placeholders a template names, in order, each once. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Whether a partition template runs per node and peer (it names a single peer) rather than once per node. */
export function perPeer(template: string): boolean {
  return placeholdersOf(template).some((p) => (PEER_PLACEHOLDERS as readonly string[]).includes(p));
}

/**
 * Refuses, before the run, a hook that could not be run as written: a placeholder its kind does not know, a
 * fault with no way back, a partition that does not say whom to cut off, and a `{port}` or `{container}` that
 * some node does not give.
 */
export function checkHook(kind: NodeFaultKind, hook: ExecHook, nodes: readonly ExternalNode[]): void {
  const what = `exec hook for ${kind}`;
  if (!Object.hasOwn(PLACEHOLDERS, kind)) throw usageError(`${what}: not a node fault (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
  if (typeof hook.exec !== 'string' || hook.exec.trim() === '') throw usageError(`${what}: 'exec' must be a command`);
  if (hook.heal !== undefined && (typeof hook.heal !== 'string' || hook.heal.trim() === '')) throw usageError(`${what}: 'heal' must be a command`);
  if (hook.heal === undefined && HEAL_REQUIRED.has(kind)) {
    throw usageError(`${what}: no 'heal' command: faultline must be able to undo every ${kind} it makes`);
  }
  const known = PLACEHOLDERS[kind];
  for (const [which, template] of [['exec', hook.exec], ['heal', hook.heal]] as const) {
    if (template === undefined) continue;
    for (const p of placeholdersOf(template)) {
      if (!known.includes(p)) {
        throw usageError(
          `${what}: unknown placeholder {${p}} in '${which}' (${kind} knows ${known.map((k) => `{${k}}`).join(' ')}; a brace of the shell's own: \${var}, or a space inside)`,
        );
      }
      for (const n of nodes) {
        if (p === 'port' && n.port === undefined) throw usageError(`${what}: '${which}' uses {port}, but node ${n.name} gives no port`);
        if (p === 'container' && n.container === undefined) throw usageError(`${what}: '${which}' uses {container}, but node ${n.name} names no container`);
      }
    }
  }
  if (kind === 'partition' && !placeholdersOf(hook.exec).some((p) => [...PEER_PLACEHOLDERS, 'peers', 'grudge'].includes(p))) {
    throw usageError(`${what}: 'exec' must say whom to cut off: {peer}, {peer_host}, {peer_node}, {peers} or {grudge}`);
  }
}

/** A template's values, each already a shell word (or, for {peers}, words). */
export type Values = Readonly<Record<string, string>>;

/** The placeholders of the node a hook acts on, quoted. */
export function nodeValues(n: ExternalNode): Record<string, string> {
  const v: Record<string, string> = { node: shellQuote(n.name), host: shellQuote(n.host), ip: shellQuote(n.ip ?? n.host) };
  if (n.port !== undefined) v.port = shellQuote(String(n.port));
  if (n.container !== undefined) v.container = shellQuote(n.container);
  return v;
}

/** A peer a partition hook cuts off, quoted: its address as the node hears it, its host and name. */
export function peerValues(p: ExternalNode): Record<string, string> {
  return { peer: shellQuote(p.ip ?? p.host), peer_host: shellQuote(p.host), peer_node: shellQuote(p.name) };
}

/** Several words: each quoted on its own, so `for p in {peers}` sees one address per word. */
export function words(xs: readonly string[]): string {
  return xs.map(shellQuote).join(' ');
}

/** Substitutes a checked template. A placeholder without a value here is a bug: checkHook refused it before the run. */
export function render(template: string, values: Values): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for {${name}} in '${template}'`);
    return v;
  });
}
