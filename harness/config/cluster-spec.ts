import type { NodeFaultKind } from './vocabulary.js';

/*
 * What a test says about a cluster it did not start (`runtime: external`): where its nodes are, how to log in, and
 * how each kind of fault is made there. Plain data, as the config file and the flags give it and the store keeps
 * it: a secret is only ever a reference (an environment variable or a file), resolved when the run starts and never
 * written anywhere.
 */

/** A password or key: read from the environment or a file when the run starts. A literal is refused: it would be stored. */
export type SecretRef = { env: string } | { file: string };

/** One node of the user's cluster. */
export interface ExternalNode {
  name: string;
  /** Where the harness reaches the node. */
  host: string;
  /** The port of the target's first declared service (6379 for redis, 5432 for postgres); absent: its default. */
  port?: number;
  /** The target's other services' ports, by their names (redis-replicated: `sentinel`); absent: their defaults. */
  ports?: Record<string, number>;
  /** The node's address as its peers know it (what a partition cuts and a Sentinel reports); absent: `host`. */
  ip?: string;
  /** Credentials of the target's service: a database user, a password, a database name. */
  user?: string;
  password?: SecretRef;
  database?: string;
  /** How to log in to this node when it differs from the test's `ssh` settings (a published port, another user). */
  ssh?: { host?: string; port?: number; user?: string };
  /** The Docker container the node runs in (id or name): the `docker` fault method's handle on it. */
  container?: string;
}

/**
 * A shell command per fault and per heal (`kill: { exec: "kubectl delete pod {node}" }`). Placeholders:
 * `{node}`, `{host}`, `{port}`, `{ip}`, `{container}` of the node hit; for a partition, run once per node and peer
 * it must stop hearing: `{peer}` (the peer's ip), `{peer_host}`, `{peer_node}`, and `{peers}` (every such peer's ip,
 * space-separated) and `{grudge}` (the whole partition as JSON); `{ms}` and `{jitter}` for latency (netem's `delay
 * {ms}ms {jitter}ms`), `{p}` (0 to 1) and `{percent}` for loss. Values are substituted shell-quoted; `${var}` and
 * other braces are the shell's (runtimes/external/exec-template.ts).
 */
export interface ExecHook {
  exec: string;
  heal?: string;
}

/**
 * How a kind of node fault is made on an external cluster: over SSH (iptables, signals, the restart command), by
 * Docker (the containers the nodes run in), or by the user's own commands. Client faults need no method: the
 * TCP fault proxy makes them.
 */
export type FaultMethodSpec = 'ssh' | 'docker' | ExecHook;
export type FaultMethods = Partial<Record<NodeFaultKind, FaultMethodSpec>>;

/** Jepsen-style control of nodes the user can log into. */
export interface SshSettings {
  user: string;
  port?: number;
  /** A private key (a file, or the environment); else `password`. */
  key?: SecretRef;
  passphrase?: SecretRef;
  password?: SecretRef;
  /** Prefix privileged commands with `sudo -n` (when `user` is not root). */
  sudo?: boolean;
  /** A known_hosts file to check host keys against; absent, any host key is accepted (Jepsen's default). */
  knownHosts?: string;
  /**
   * The server process, for kill and pause: by command-line pattern (pkill -f) or systemd unit; `start` restarts it
   * after a kill (absent with a unit: `systemctl start <unit>`).
   */
  process?: { pattern?: string; unit?: string; start?: string };
  /** Files (globs) copied from every node into the run's directory at the end, also after Ctrl-C or a time-out. */
  logs?: string[];
}
