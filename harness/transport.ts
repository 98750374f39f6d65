/**
 * How a client reaches a node by request and reply: one reply, or nothing, in which case `done(undefined)` is
 * called after `timeoutMs` (the client cannot tell a slow node from a dead one). The simulation provides one over
 * its network; a node program hosted as an OS process is reached through one over TCP. A client written against
 * this runs in both.
 */
export interface RequestTransport {
  request(node: string, msg: Record<string, unknown>, timeoutMs: number, done: (reply: Record<string, unknown> | undefined) => void): void;
}
