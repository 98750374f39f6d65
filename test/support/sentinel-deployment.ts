import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import type { SecretRef } from '../../harness/config/cluster-spec.js';
import { startRedis, startSentinel, type HostServer } from './host-servers.js';

/**
 * A Redis Sentinel deployment as a user runs one, on loopback: a primary, replicas of it, and a sentinel per node
 * (quorum: a majority), started by hand rather than by faultline. Its nodes list the primary second, so that a
 * ready check assuming the first node is the primary would fail.
 */
export interface SentinelDeployment {
  readonly primary: HostServer;
  readonly replicas: readonly HostServer[];
  readonly sentinels: readonly HostServer[];
  /** The nodes as a test names them: each a data server and a sentinel. */
  nodes(extra?: { password?: SecretRef }): ExternalNode[];
  stop(): Promise<void>;
}

export async function startSentinelDeployment(o: { password?: string; sentinelPassword?: string; master?: string; size?: number } = {}): Promise<SentinelDeployment> {
  const size = o.size ?? 3;
  const started: HostServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
  };
  try {
    const primary = await startRedis({ password: o.password });
    started.push(primary);
    const replicas: HostServer[] = [];
    for (let i = 1; i < size; i++) {
      const r = await startRedis({ password: o.password, replicaOf: primary });
      started.push(r);
      replicas.push(r);
    }
    const sentinels: HostServer[] = [];
    for (let i = 0; i < size; i++) {
      const s = await startSentinel({ monitor: primary, master: o.master, quorum: Math.floor(size / 2) + 1, authPass: o.password, password: o.sentinelPassword });
      started.push(s);
      sentinels.push(s);
    }
    // The primary second: [replica, primary, replica, …].
    const servers = [replicas[0], primary, ...replicas.slice(1)];
    return {
      primary,
      replicas,
      sentinels,
      nodes: (extra = {}) =>
        servers.map((s, i) => ({ name: `n${i + 1}`, host: s.host, port: s.port, ports: { sentinel: sentinels[i].port }, ...extra })),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
