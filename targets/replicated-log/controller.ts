import type { Client, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import { raftClient } from '../raft-kv/client.js';
import type { PartitionState } from './messages.js';

/** The controller quorum: three Raft nodes (raft-kv's RaftNode) holding each partition's state in a register. */
export const CONTROLLER_NODES = ['cfg1', 'cfg2', 'cfg3'] as const;

export const isControllerNode = (id: string): boolean => (CONTROLLER_NODES as readonly string[]).includes(id);

/** The register that holds partition p's state. */
const keyOf = (p: number) => `partition-${p}`;

export const encodeState = (s: PartitionState): string => JSON.stringify(s);

/**
 * A broker's link to the controller (Kafka's KRaft: the partition states are decided in a Raft log, and a broker
 * changes one only by a conditional write from the state it read, as AlterPartition carries the partition epoch). One
 * raft-kv client session per partition, so the partitions' reads and proposals go side by side; each session runs
 * one operation at a time, since raft-kv's dedup takes a lower sequence after a higher one for a retry.
 */
export class ControllerLink {
  private readonly sessions: { client: Client; busy: boolean; queue: [() => void][] }[] = [];

  /** `session` numbers this broker's life: a restarted broker must not reuse its sequences under an old client id. */
  constructor(transport: RequestTransport, partitions: number, session: number) {
    for (let p = 0; p < partitions; p++) {
      this.sessions.push({ client: raftClient(transport, CONTROLLER_NODES, session * 100 + p), busy: false, queue: [] });
    }
  }

  /** The state's text (null before anyone created it), or undefined when the controller did not answer. */
  read(p: number, done: (text: string | null | undefined) => void): void {
    this.run(p, { f: 'read', key: keyOf(p), value: null }, (c) => done(c.type === 'ok' ? (c.value as string | null) : undefined));
  }

  /**
   * Replaces the state, if it still is `expected` (the text read). `unknown`: the controller did not say, and the
   * write may still take effect, until the state has moved past `expected`.
   */
  propose(p: number, expected: string | null, next: PartitionState, done: (outcome: 'ok' | 'fail' | 'unknown', text: string) => void): void {
    const text = encodeState(next);
    this.run(p, { f: 'cas', key: keyOf(p), value: [expected, text] }, (c) => done(c.type === 'info' ? 'unknown' : c.type, text));
  }

  private run(p: number, op: { f: string; key: string; value: unknown }, done: (c: Completion) => void): void {
    const s = this.sessions[p];
    const go = () => {
      s.busy = true;
      s.client.invoke(op, (c) => {
        s.busy = false;
        done(c);
        s.queue.shift()?.[0]();
      });
    };
    if (s.busy) s.queue.push([go]);
    else go();
  }
}
