import { exitedZero } from './readiness.js';
import type { Testcontainers } from './testcontainers.js';

/** The container whose network namespace a helper joins, and the labels the helper carries (so cleanup finds it). */
export interface NamespaceOwner {
  readonly id: string;
  readonly labels: Record<string, string>;
}

/**
 * Containers without iptables (official images, a user's own) get their rules from a one-shot container of a tools
 * image that joins the node's network namespace (`--network container:<node>`), with NET_ADMIN, labelled as given
 * (so a run cut short removes it with the rest). It is ready when it has exited 0, and removed either way.
 */
export async function netToolsRun(tc: Testcontainers, image: string, node: NamespaceOwner, script: string): Promise<void> {
  const helper = await new tc.GenericContainer(image)
    .withCommand(['sh', '-c', script])
    .withNetworkMode(`container:${node.id}`)
    .withAddedCapabilities('NET_ADMIN')
    .withLabels(node.labels)
    .withAutoCleanup(false)
    .withWaitStrategy(exitedZero())
    .start()
    .catch((e: unknown) => {
      // testcontainers has removed a helper that failed its wait.
      throw new Error(`iptables in ${image}: ${(e as Error).message}`);
    });
  await helper.stop({ timeout: 0, remove: true, removeVolumes: true }).catch(() => undefined);
}
