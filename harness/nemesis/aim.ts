import { isRoleTarget, type BuiltinTarget, type FaultKind, type FaultTarget } from '../config/definition.js';
import type { Rng } from '../rng.js';
import { bridgeGrudge, completeGrudge, ringGrudge, type Grudge } from './grudge.js';

/**
 * What a fault aims at when its target is left open, with weights: the nemesis varies it from cycle to cycle, so one
 * `--nemesis partition,kill,pause` run meets the shapes that break leader-based systems — the leader isolated, the
 * leader keeping a minority, a split into halves, a majorities ring, a bridge; kills of the leader, of any node, of
 * a minority, of every node at once; pauses likewise.
 */
export const VARIED_TARGETS: Record<FaultKind, readonly (readonly [BuiltinTarget, number])[]> = {
  partition: [['primary', 2], ['primary-minority', 1], ['majority', 2], ['ring', 1], ['bridge', 1]],
  kill: [['primary', 2], ['random', 2], ['minority', 1], ['all', 1]],
  pause: [['primary', 2], ['random', 2], ['minority', 1], ['all', 1]],
  latency: [['primary', 1], ['random', 1]],
  loss: [['primary', 1], ['random', 1]],
  'crash-loop': [['primary', 1], ['random', 1]],
  'client-partition': [['primary', 2], ['random', 1], ['minority', 1]],
  'client-latency': [['primary', 1], ['random', 1], ['all', 1]],
  'client-loss': [['primary', 1], ['random', 1]],
  'client-slow': [['primary', 1], ['random', 1]],
  // A clock jump on the node that grants leases (a lock's primary) is the one that breaks them.
  clock: [['primary', 2], ['random', 1]],
  // Not nodes: the nemesis picks a process in its critical section (see Nemesis.pauseClients).
  'pause-client': [['random', 1]],
  // Not nodes: the nemesis picks a consumer in the middle of a batch (see Nemesis.crashClients).
  'crash-client': [['random', 1]],
  // Not nodes: a join or a leave, either when the other cannot be done (see membership.ts).
  membership: [['join', 1], ['leave', 1]],
};

/**
 * A target drawn by weight from the varied ones; a ring needs 4 nodes, so smaller clusters never draw it. Without
 * `shapes` (a peerless target's partition, made between the nodes and the clients) no shape is drawn: it aims at
 * nodes.
 */
export function variedTarget(kind: FaultKind, n: number, rng: Rng, shapes = true): BuiltinTarget {
  const choices = VARIED_TARGETS[kind].filter(([t]) => (t !== 'ring' || n >= 4) && (shapes || (t !== 'ring' && t !== 'bridge')));
  let x = rng.next() * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [t, w] of choices) if ((x -= w) < 0) return t;
  return choices[choices.length - 1][0];
}

/**
 * The cluster as a cycle of the nemesis sees it: its nodes, who leads now, the cycle's randomness, and the target's
 * roles over its nodes (TargetInfo.roles).
 */
export interface Sight {
  nodes: readonly string[];
  primaries: readonly string[];
  rng: Rng;
  roles?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The nodes of a role, among those the nemesis sees (never a bystander). The registry refused an unknown role
 * before the run, so one here is the harness's own error.
 */
export function roleNodes(role: string, s: Sight): string[] {
  const named = s.roles && Object.hasOwn(s.roles, role) ? s.roles[role] : undefined;
  if (named === undefined) throw new Error(`the nemesis was asked for role '${role}', which the target does not name (roles: ${Object.keys(s.roles ?? {}).join(', ') || 'none'})`);
  return s.nodes.filter((n) => named.includes(n));
}

/**
 * The nodes a target names. `ring` and `bridge` are shapes, not node sets: they hit the bridge node or no one. A role
 * names exactly its nodes.
 */
export function aimNodes(target: FaultTarget, s: Sight): string[] {
  if (isRoleTarget(target)) return roleNodes(target.role, s);
  const { nodes, rng } = s;
  const n = nodes.length;
  const minority = Math.max(1, Math.floor((n - 1) / 2));
  const primary = () => (s.primaries.length ? rng.pick(s.primaries) : rng.pick(nodes));
  switch (target) {
    case 'primary':
    case 'bridge':
      return [primary()];
    case 'random':
      return [rng.pick(nodes)];
    case 'minority':
      return shuffled(nodes, rng).slice(0, minority);
    case 'majority':
      return shuffled(nodes, rng).slice(0, Math.floor(n / 2) + 1);
    case 'primary-minority': {
      const p = primary();
      return [p, ...shuffled(nodes.filter((x) => x !== p), rng).slice(0, minority - 1)];
    }
    case 'all':
      return [...nodes];
    case 'ring':
    // A membership change's, not nodes (membership.ts picks the node).
    case 'join':
    case 'leave':
      return [];
  }
}

/** The partition a target makes: the nodes it names cut off from the rest (`all`: every node alone), or a shape. */
export function aimPartition(target: FaultTarget, s: Sight): Grudge {
  switch (isRoleTarget(target) ? 'role' : target) {
    case 'ring':
      return ringGrudge(shuffled(s.nodes, s.rng));
    case 'bridge': {
      const [b] = aimNodes('bridge', s);
      return bridgeGrudge([b, ...shuffled(s.nodes.filter((x) => x !== b), s.rng)], b);
    }
    case 'all':
      return completeGrudge(s.nodes.map((x) => [x]));
    // A role, like the node sets: its nodes cut off from the rest.
    default: {
      const side = aimNodes(target, s);
      const rest = s.nodes.filter((x) => !side.includes(x));
      return rest.length ? completeGrudge([side, rest]) : {};
    }
  }
}

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const s = [...xs];
  for (let i = s.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [s[i], s[j]] = [s[j], s[i]];
  }
  return s;
}
