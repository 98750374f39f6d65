/**
 * Jepsen's grudge: for each node, the nodes whose messages it drops. Every partition the nemesis makes is one, so
 * shapes that no grouping can express — a ring of overlapping majorities, a bridge — are partitions like any other.
 * The grudges built here are symmetric (a link is cut both ways); nodes not named drop nothing.
 */
export type Grudge = Readonly<Record<string, readonly string[]>>;

/** Members of different groups cannot talk (Jepsen's complete-grudge); nodes in no group reach everyone. */
export function completeGrudge(groups: readonly (readonly string[])[]): Grudge {
  const g: Record<string, string[]> = {};
  groups.forEach((group, i) => {
    const others = groups.filter((_, j) => j !== i).flat();
    for (const n of group) g[n] = [...others];
  });
  return g;
}

/**
 * A majorities ring: the nodes in a (shuffled) ring, each hearing only its neighbours within ⌈m/2⌉ where m + 1 is a
 * majority. Every node sees a majority, yet no two see the same one: leaders can be elected on every side, and
 * each thinks a majority follows it. Below 4 nodes no such ring exists, and nothing is cut.
 */
export function ringGrudge(ring: readonly string[]): Grudge {
  const n = ring.length;
  const reach = Math.ceil(Math.floor(n / 2) / 2);
  const g: Record<string, string[]> = {};
  ring.forEach((node, i) => {
    const far = ring.filter((_, j) => {
      const d = Math.abs(i - j);
      return Math.min(d, n - d) > reach;
    });
    if (far.length) g[node] = far;
  });
  return g;
}

/** Two halves that cannot talk, with one node (the bridge) that talks to both (Jepsen's bridge). */
export function bridgeGrudge(nodes: readonly string[], bridge: string): Grudge {
  const rest = nodes.filter((n) => n !== bridge);
  const half = Math.floor(rest.length / 2);
  return completeGrudge([rest.slice(0, half), rest.slice(half)]);
}

/** Whether `to` drops what `from` sends. */
export function drops(g: Grudge, from: string, to: string): boolean {
  return g[to]?.includes(from) ?? false;
}

/** Whether the grudge cuts anything at all. */
export function cutsAnything(g: Grudge): boolean {
  return Object.values(g).some((xs) => xs.length > 0);
}
