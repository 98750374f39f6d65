import type { StartedNetwork } from 'testcontainers';
import { randomInt } from 'node:crypto';
import { runLabels } from './labels.js';
import type { Testcontainers } from './testcontainers.js';

export interface RunNetwork {
  readonly name: string;
  readonly subnet: string;
  /** The network as testcontainers knows it: what the run's containers join. */
  readonly started: StartedNetwork;
  /** The i-th node's fixed address (from .10 up). */
  ip(i: number): string;
  remove(): Promise<void>;
}

/** Subnets are drawn from 10.200.0.0/13, away from Docker's default pools (172.17/16…, 192.168/16). */
const SECOND_OCTET = { min: 200, max: 207 };
const ATTEMPTS = 8;

/**
 * A private bridge network for one run, with a subnet of its own so that every node has a fixed address: a killed
 * container comes back at the address its peers (and the partition rules naming it) already use. testcontainers'
 * `new Network()` lets Docker pick the subnet, and Docker gives fixed addresses only on a network whose subnet was
 * chosen by its creator: so the network is created here, through testcontainers' client, with the run's labels and
 * a subnet, and handed to testcontainers as the StartedNetwork its containers join.
 */
export async function createRunNetwork(tc: Testcontainers, runId: string): Promise<RunNetwork> {
  const client = await tc.getContainerRuntimeClient();
  const name = `faultline-${runId}`;
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const prefix = `10.${randomInt(SECOND_OCTET.min, SECOND_OCTET.max + 1)}.${randomInt(0, 256)}`;
    const subnet = `${prefix}.0/24`;
    try {
      const network = await client.network.create({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: runLabels(runId),
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: `${prefix}.1` }] },
      });
      const started = new tc.StartedNetwork(client, name, network);
      return {
        name,
        subnet,
        started,
        ip: (i) => `${prefix}.${10 + i}`,
        remove: () => started.stop().then(() => undefined),
      };
    } catch (e) {
      // Another run (or another network on this host) has that subnet: draw again.
      if (!/overlap|in use/i.test(String((e as Error).message))) throw e;
      lastError = e;
    }
  }
  throw new Error(`no free subnet for the run's network after ${ATTEMPTS} attempts: ${String((lastError as Error)?.message)}`);
}
