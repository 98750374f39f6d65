import type { Client, ClientOp, Completion } from '../../harness/runtime.js';

/** Register ops as a workload would generate them, for driving a target's client by hand. */
export const read = (key: string): ClientOp => ({ f: 'read', key, value: null });
export const write = (key: string, value: number): ClientOp => ({ f: 'write', key, value });
export const cas = (key: string, from: number, to: number): ClientOp => ({ f: 'cas', key, value: [from, to] });

/** One op through a client, as the run loop calls it: the completion it reports. */
export const invoke = (c: Client, op: ClientOp) => new Promise<Completion>((resolve) => c.invoke(op, resolve));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One op and how long its completion took (ms): outcomes under faults are claims about time too. */
export async function timed(c: Client, op: ClientOp): Promise<{ completion: Completion; ms: number }> {
  const t0 = performance.now();
  const completion = await invoke(c, op);
  return { completion, ms: performance.now() - t0 };
}
