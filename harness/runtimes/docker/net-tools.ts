import type { StartedTestContainer } from 'testcontainers';
import { exitedZero } from './readiness.js';
import type { Testcontainers } from './testcontainers.js';

/**
 * Official images carry no iptables: the script runs in a one-shot container of a tools image that joins the
 * node's network namespace (`--network container:<node>`), with NET_ADMIN, labelled as the node is (so a run cut
 * short removes it with the rest). It is ready when it has exited 0, and removed either way.
 */
export async function netToolsRun(tc: Testcontainers, image: string, node: StartedTestContainer, script: string): Promise<void> {
  const helper = await new tc.GenericContainer(image)
    .withCommand(['sh', '-c', script])
    .withNetworkMode(`container:${node.getId()}`)
    .withAddedCapabilities('NET_ADMIN')
    .withLabels(node.getLabels())
    .withAutoCleanup(false)
    .withWaitStrategy(exitedZero())
    .start()
    .catch((e: unknown) => {
      // testcontainers has removed a helper that failed its wait.
      throw new Error(`iptables in ${image}: ${(e as Error).message}`);
    });
  await helper.stop({ timeout: 0, remove: true, removeVolumes: true }).catch(() => undefined);
}
