import { connect } from 'node:net';
import { usageError } from '../../errors.js';
import type { Endpoint } from './view.js';

/** How long a node's service may take to accept a TCP connection before it counts as unreachable. */
export const REACH_MS = 3000;

const WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name not resolved',
};

/**
 * Connects to each service once, before anything else: what cannot be reached is named in one line (`cannot reach
 * n1's redis at 10.0.0.1:6379: connection refused`), rather than as a readiness time-out later.
 */
export async function checkReachable(services: readonly { node: string; service: string; at: Endpoint }[]): Promise<void> {
  const failures = await Promise.all(services.map(async (s) => ({ s, why: await reach(s.at) })));
  const bad = failures.filter((f) => f.why !== undefined);
  if (bad.length === 0) return;
  const [{ s, why }] = bad;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more unreachable)` : '';
  throw usageError(`cannot reach ${s.node}'s ${s.service} at ${s.at.host}:${s.at.port}: ${why}${more}`);
}

function reach(at: Endpoint): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: at.host, port: at.port });
    const done = (why: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`no answer within ${REACH_MS / 1000} s`), REACH_MS);
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(WHY[e.code ?? ''] ?? e.message));
  });
}
