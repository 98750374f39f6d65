/** The testcontainers module, as the runtime uses it. */
export type Testcontainers = typeof import('testcontainers');

let loading: Promise<Testcontainers> | undefined;

/**
 * testcontainers, loaded when a cluster is first started: `faultline check` and the simulation never pay its
 * start-up (about 0.4 s, dockerode's included). Before it loads, the two settings it reads once are fixed for
 * faultline's use of it:
 * - its reaper (Ryuk) is off: Ryuk is an image from a registry, which many machines running faultline cannot reach,
 *   and faultline removes what it made itself, by its labels (labels.ts, cleanup.ts);
 * - the host it reaches published ports at is the loopback, where the runtime publishes them (ports.ts). Left to
 *   itself, inside a container it would look for the bridge's gateway, or run a container of a registry image to
 *   find it.
 */
export function loadTestcontainers(): Promise<Testcontainers> {
  return (loading ??= (async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE = LOOPBACK;
    return import('testcontainers');
  })());
}

/** Where every port the runtime publishes is bound on the host, and where the harness reaches it. */
export const LOOPBACK = '127.0.0.1';
