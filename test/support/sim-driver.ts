import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { SimRuntime } from '../../harness/runtimes/sim/runtime.js';

/** Awaitable steps over a simulation for target tests: each runs virtual time until its step is done. */
export function simDriver(runtime: SimRuntime) {
  let probes = 0;
  return {
    /** Runs one op through a client to its completion. */
    async invoke(client: Client, op: ClientOp): Promise<Completion> {
      let c: Completion | undefined;
      client.invoke(op, (x) => (c = x));
      await runtime.drive(() => c !== undefined);
      return c!;
    },
    /** Lets `ms` of virtual time pass. */
    async sleep(ms: number): Promise<void> {
      let done = false;
      runtime.at(ms, () => (done = true));
      await runtime.drive(() => done);
    },
    /** Runs virtual time until `cond` holds or `ms` pass; returns whether it held. */
    async waitFor(cond: () => boolean, ms = 2000): Promise<boolean> {
      let timedOut = false;
      runtime.at(ms, () => (timedOut = true));
      await runtime.drive(() => cond() || timedOut);
      return cond();
    },
    /** Sends one raw message to a node from a fresh endpoint (bypassing clients' routing); the reply or undefined. */
    async request(node: string, msg: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
      const id = `probe${probes++}`;
      let reply: Record<string, unknown> | undefined;
      let timedOut = false;
      runtime.net.addEndpoint(id, (_from, m) => (reply = m as Record<string, unknown>));
      runtime.net.send(id, node, { rid: 0, ...msg });
      runtime.at(timeoutMs, () => (timedOut = true));
      await runtime.drive(() => reply !== undefined || timedOut);
      return reply;
    },
  };
}
