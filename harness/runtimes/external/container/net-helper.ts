import { LABELS, runLabels } from '../../docker/labels.js';
import { netToolsRun } from '../../docker/net-tools.js';
import { loadTestcontainers } from '../../docker/testcontainers.js';
import type { NetScriptRunner } from './container-node.js';

/**
 * iptables for a user's container, which has neither iptables nor NET_ADMIN: a one-shot helper from the net-tools
 * image joins its network namespace (never privileged). The helper carries faultline's labels under `owner` (the
 * method's or a heal's own id, never the user's container), so `faultline cleanup` removes one a dead process left.
 */
export function netScriptRunner(image: string, owner: string): NetScriptRunner {
  return async (container, node, script) => {
    const tc = await loadTestcontainers();
    await netToolsRun(tc, image, { id: container, labels: { ...runLabels(owner), [LABELS.node]: node } }, script);
  };
}
