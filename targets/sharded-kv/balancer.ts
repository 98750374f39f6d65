import { Rng } from '../../harness/rng.js';
import type { Balancing } from './behaviour.js';

/**
 * Which of a key's owners coordinates a read: round-robin (a counter shared by the routers), random (seeded, so a
 * run replays), or least-outstanding (the owner with the fewest requests in flight from every router, ties in
 * round-robin order: what a load balancer that sees its backends' queues does). It counts the requests each node
 * was sent, for the report's load per node.
 */
export class Balancer {
  readonly load = new Map<string, number>();
  private readonly outstanding = new Map<string, number>();
  private turn = 0;
  private readonly rng: Rng;

  constructor(
    readonly strategy: Balancing,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  pick(owners: readonly string[], _process: number): string {
    if (owners.length === 1) return owners[0];
    switch (this.strategy) {
      case 'random':
        return this.rng.pick(owners);
      case 'least-outstanding': {
        const start = this.turn++ % owners.length;
        let best = owners[start];
        for (let i = 1; i < owners.length; i++) {
          const o = owners[(start + i) % owners.length];
          if ((this.outstanding.get(o) ?? 0) < (this.outstanding.get(best) ?? 0)) best = o;
        }
        return best;
      }
      default:
        return owners[this.turn++ % owners.length];
    }
  }

  started(node: string): void {
    this.load.set(node, (this.load.get(node) ?? 0) + 1);
    this.outstanding.set(node, (this.outstanding.get(node) ?? 0) + 1);
  }

  finished(node: string): void {
    this.outstanding.set(node, (this.outstanding.get(node) ?? 1) - 1);
  }
}
