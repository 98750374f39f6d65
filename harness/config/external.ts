import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { ExecHook, ExternalNode, FaultMethods, FaultMethodSpec, SecretRef, SshSettings } from './cluster-spec.js';
import { unknownField, type FieldPath, type Problem } from './issues.js';
import { CLIENT_FAULT_KINDS, describeValue, NAME, NODE_FAULT_KINDS, PROCESS_FAULT_KINDS, type FaultKind, type NodeFaultKind, type RuntimeName } from './vocabulary.js';

/*
 * The fields of a test definition that describe a cluster the user started (`runtime: external`): where its nodes
 * are (`nodes`), how each kind of node fault is made there (`faults`), and how to log in to them (`ssh`). The
 * readers below check a value on their own, as a config file or a flag gives it, so an error names the field's
 * line or flag; `clusterProblems` checks what needs the whole definition (the runtime, every node, the methods
 * and the settings they need). Secrets are references only: a literal password is refused, since the definition
 * is stored and printed.
 */

/** Problems found while reading, each at its path below the field being read. */
type Problems = Problem[];
type Path = PropertyKey[];

const got = (what: string, v: unknown) => `expected ${what}, got ${describeValue(v)}`;

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A mapping whose keys are all known; each unknown key is a problem of its own, at the key. */
function mapping(v: unknown, at: Path, out: Problems, what: string, known: readonly string[]): Record<string, unknown> | undefined {
  if (!isMapping(v)) {
    out.push({ path: at, message: got(what, v) });
    return undefined;
  }
  for (const k of Object.keys(v)) if (!known.includes(k)) out.push({ path: [...at, k], message: unknownField(k, known) });
  return v;
}

function text(v: unknown, at: Path, out: Problems, what: string): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  out.push({ path: at, message: got(what, v) });
  return undefined;
}

function matching(v: unknown, at: Path, out: Problems, what: string, re: RegExp): string | undefined {
  if (typeof v === 'string' && re.test(v)) return v;
  out.push({ path: at, message: got(what, v) });
  return undefined;
}

function tcpPort(v: unknown, at: Path, out: Problems): number | undefined {
  if (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535) return v as number;
  out.push({ path: at, message: got('a TCP port (1 to 65535)', v) });
  return undefined;
}

/** Keeps the defined values of `o`, in its order: the canonical form has no `undefined` fields. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---- secrets ----

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A password or key: `{env: NAME}` or `{file: path}`, read when the run starts (secrets.ts). The value itself is
 * refused: the definition is stored with the run and printed in its replay line.
 */
export function readSecretRef(v: unknown, at: Path, out: Problems, what: string): SecretRef | undefined {
  if (typeof v === 'string' || typeof v === 'number') {
    out.push({ path: at, message: `a ${what} comes from {env: NAME} or {file: path}, never the config itself: it would be stored` });
    return undefined;
  }
  const m = mapping(v, at, out, `{env: NAME} or {file: path} for the ${what}`, ['env', 'file']);
  if (!m) return undefined;
  if (('env' in m) === ('file' in m)) {
    out.push({ path: at, message: `expected one of env or file for the ${what}, got ${'env' in m ? 'both' : 'neither'}` });
    return undefined;
  }
  if ('env' in m) {
    const env = matching(m.env, [...at, 'env'], out, 'the name of an environment variable', ENV_NAME);
    return env === undefined ? undefined : { env };
  }
  const file = text(m.file, [...at, 'file'], out, 'a file path');
  return file === undefined ? undefined : { file };
}

// ---- nodes ----

/** What a node may be given as before the whole definition is known: `host:port` (or a name), or a node's fields. */
export type NodeEntry = string | (Omit<ExternalNode, 'name'> & { name?: string });

export const NODE_FIELDS = ['name', 'host', 'port', 'ports', 'ip', 'user', 'password', 'database', 'ssh', 'container'] as const;
const NODE_SSH_FIELDS = ['host', 'port', 'user'] as const;

/** A host name or an IP address as a socket takes it: IPv6 without brackets (the brackets are `--nodes` syntax). */
const HOST = /^[^\s,[\]=/]+$/;
const HOST_PHRASE = 'a host name or IP address (IPv6 without brackets)';

/** A node of the external runtime given as a mapping of ExternalNode's fields; the name may be left to its place. */
export function readNodeObject(v: unknown, at: Path, out: Problems): NodeEntry | undefined {
  const m = mapping(v, at, out, 'a node: host:port, or a mapping of name, host, port, …', NODE_FIELDS);
  if (!m) return undefined;
  const before = out.length;
  const field = <T>(k: (typeof NODE_FIELDS)[number], read: (x: unknown, p: Path) => T | undefined): T | undefined =>
    m[k] === undefined ? undefined : read(m[k], [...at, k]);
  const name = field('name', (x, p) => matching(x, p, out, 'a node name (letters, digits, ., _ and -)', NAME));
  const host = m.host === undefined ? (out.push({ path: [...at, 'host'], message: `expected ${HOST_PHRASE}, got nothing` }), undefined) : field('host', (x, p) => matching(x, p, out, HOST_PHRASE, HOST));
  const port = field('port', (x, p) => tcpPort(x, p, out));
  const ports = field('ports', (x, p) => {
    const o = isMapping(x) ? x : (out.push({ path: p, message: got('a mapping of service names to ports', x) }), undefined);
    if (!o) return undefined;
    const r: Record<string, number> = {};
    for (const [k, n] of Object.entries(o)) {
      if (!NAME.test(k)) out.push({ path: [...p, k], message: `expected a service name (letters, digits, ., _ and -), got ${describeValue(k)}` });
      const q = tcpPort(n, [...p, k], out);
      if (q !== undefined) r[k] = q;
    }
    return r;
  });
  const ip = field('ip', (x, p) => matching(x, p, out, `the node's address as its peers know it, ${HOST_PHRASE}`, HOST));
  const user = field('user', (x, p) => text(x, p, out, 'a user name'));
  const password = field('password', (x, p) => readSecretRef(x, p, out, 'password'));
  const database = field('database', (x, p) => text(x, p, out, 'a database name'));
  const ssh = field('ssh', (x, p) => {
    const o = mapping(x, p, out, 'a mapping of host, port and user (how to log in to this node)', NODE_SSH_FIELDS);
    if (!o) return undefined;
    return defined({
      host: o.host === undefined ? undefined : matching(o.host, [...p, 'host'], out, HOST_PHRASE, HOST),
      port: o.port === undefined ? undefined : tcpPort(o.port, [...p, 'port'], out),
      user: o.user === undefined ? undefined : text(o.user, [...p, 'user'], out, 'a user name'),
    });
  });
  const container = field('container', (x, p) => text(x, p, out, 'a Docker container id or name'));
  if (out.length > before) return undefined;
  return defined({ name, host: host!, port, ports, ip, user, password, database, ssh, container });
}

const ADDRESS = /^(?:([^=\s,]+)=)?(?:\[([^\]\s,]+)\]|([^:[\]=\s,/]+)):(\d+)$/;
const ADDRESS_PHRASE = 'host:port, name=host:port or [IPv6]:port';

/** `10.0.0.1:6379`, `n1=db1:6379`, `[::1]:6379`: a node as `--nodes` names it, or why it is not one. */
export function parseAddress(s: string): { name?: string; host: string; port: number } | string {
  const m = ADDRESS.exec(s);
  if (!m) return got(ADDRESS_PHRASE, s);
  const [, name, v6, host, portText] = m;
  const port = Number(portText);
  if (name !== undefined && !NAME.test(name)) return `expected a node name (letters, digits, ., _ and -) before '=', got ${describeValue(name)}`;
  if (!(port >= 1 && port <= 65535)) return `expected a TCP port (1 to 65535) after the last ':', got ${portText}`;
  return { ...(name !== undefined && { name }), host: v6 ?? host, port };
}

/** Whether a string reads as an address rather than a node name (`db1:6379`, `n1=db1:6379`). */
export function isAddress(s: string): boolean {
  return typeof parseAddress(s) !== 'string';
}

export const NEEDS_ADDRESSES = "the external runtime needs each node's address, e.g. --nodes 10.0.0.1:6379";

/** A node of ours as the canonical form has it: its fields in ExternalNode's order, nothing undefined. */
function canonicalNode(n: Omit<ExternalNode, 'name'>, name: string): ExternalNode {
  return defined({
    name,
    host: n.host,
    port: n.port,
    ports: n.ports && { ...n.ports },
    ip: n.ip,
    user: n.user,
    password: n.password && { ...n.password },
    database: n.database,
    ssh: n.ssh && defined({ host: n.ssh.host, port: n.ssh.port, user: n.ssh.user }),
    container: n.container,
  }) as ExternalNode;
}

/**
 * The nodes of an external cluster from what the definition gives: each an address or a node's fields, named n1…nN
 * by place unless named, every name once. A count, a bare name or nothing is a problem: we cannot start nodes there.
 */
export function externalNodes(nodes: number | readonly NodeEntry[] | undefined, out: Problems): ExternalNode[] | undefined {
  if (!Array.isArray(nodes)) {
    out.push({ path: ['nodes'], message: NEEDS_ADDRESSES });
    return undefined;
  }
  const before = out.length;
  const seen = new Set<string>();
  const list: ExternalNode[] = [];
  nodes.forEach((entry: NodeEntry, i) => {
    let node: ExternalNode | undefined;
    if (typeof entry === 'string') {
      const a = parseAddress(entry);
      if (typeof a === 'string') out.push({ path: ['nodes', i], message: entry.includes(':') ? a : `${NEEDS_ADDRESSES}, got ${describeValue(entry)}` });
      else node = canonicalNode({ host: a.host, port: a.port }, a.name ?? `n${i + 1}`);
    } else {
      node = canonicalNode(entry, entry.name ?? `n${i + 1}`);
    }
    if (!node) return;
    if (seen.has(node.name)) out.push({ path: ['nodes', i], message: `node '${node.name}' is listed twice (a node without a name is n<place>)` });
    seen.add(node.name);
    list.push(node);
  });
  return out.length > before ? undefined : list;
}

/** On sim and docker the harness starts the nodes: addresses and node objects belong to the external runtime. */
export function ownNodesProblems(runtime: RuntimeName, nodes: number | readonly NodeEntry[] | undefined, out: Problems): void {
  if (!Array.isArray(nodes)) return;
  nodes.forEach((entry: NodeEntry, i) => {
    if (typeof entry !== 'string') {
      out.push({ path: ['nodes', i], message: `the ${runtime} runtime starts its own nodes: give a count or names (a node's host and port are for --runtime external)` });
    } else if (isAddress(entry)) {
      out.push({ path: ['nodes', i], message: `the ${runtime} runtime starts its own nodes: give a count or names, not addresses (those are for --runtime external), got ${describeValue(entry)}` });
    }
  });
}

/** `--nodes` as the replay line writes it: addresses where they say all (`n1=` left out where the place names it), else JSON. */
export function formatExternalNodes(nodes: readonly ExternalNode[]): string {
  const plain = nodes.every((n) => n.port !== undefined && Object.keys(n).every((k) => k === 'name' || k === 'host' || k === 'port'));
  if (!plain) return JSON.stringify(nodes);
  return nodes
    .map((n, i) => `${n.name === `n${i + 1}` ? '' : `${n.name}=`}${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`)
    .join(',');
}

// ---- fault methods ----

/**
 * What the built-in methods cannot make, and why: one table for the config, which refuses the test up front, and
 * the external runtime, which therefore never meets such a request.
 */
export const METHOD_CANNOT: Readonly<Record<'ssh' | 'docker', Partial<Record<NodeFaultKind, string>>>> = {
  ssh: { latency: 'no netem on the kernels faultline is tested on: use client-latency, or an exec hook' },
  docker: { latency: 'no netem on the kernels faultline is tested on: use client-latency, or an exec hook' },
};

/** What an exec hook's heal must do; every kind needs one, or the fault could not be undone. */
const HEAL_DOES: Readonly<Record<NodeFaultKind, string>> = {
  partition: 'lets the node hear its peers again',
  kill: 'starts the node again',
  pause: 'resumes the node',
  latency: 'removes the delay',
  loss: 'stops the loss',
  'crash-loop': 'starts the node again after each crash',
};

/** The placeholders a hook of each kind is given (cluster-spec.ts ExecHook); the exec method substitutes these. */
const NODE_PLACEHOLDERS = ['node', 'host', 'port', 'ip', 'container'] as const;
export const HOOK_PLACEHOLDERS: Readonly<Record<NodeFaultKind, readonly string[]>> = {
  partition: [...NODE_PLACEHOLDERS, 'peer', 'peer_host', 'peer_node', 'peers', 'grudge'],
  kill: NODE_PLACEHOLDERS,
  pause: NODE_PLACEHOLDERS,
  latency: [...NODE_PLACEHOLDERS, 'ms'],
  loss: [...NODE_PLACEHOLDERS, 'p'],
  'crash-loop': NODE_PLACEHOLDERS,
};
const EVERY_PLACEHOLDER = new Set(Object.values(HOOK_PLACEHOLDERS).flat());

const METHOD_PHRASE = 'ssh, docker or an exec hook {exec, heal}';

/** `{exec, heal}`: both commands, each using only the placeholders its kind is given. */
function readHook(kind: NodeFaultKind, v: unknown, at: Path, out: Problems): ExecHook | undefined {
  const m = mapping(v, at, out, METHOD_PHRASE, ['exec', 'heal']);
  if (!m) return undefined;
  const before = out.length;
  const command = (k: 'exec' | 'heal'): string | undefined => {
    if (m[k] === undefined) {
      out.push({
        path: [...at, k],
        message: k === 'exec' ? `expected the shell command that makes '${kind}', got nothing` : `an exec hook for '${kind}' needs a heal, the command that ${HEAL_DOES[kind]}: without it the fault cannot be undone`,
      });
      return undefined;
    }
    const c = text(m[k], [...at, k], out, 'a shell command');
    if (c === undefined) return undefined;
    for (const [, p] of c.matchAll(/\{([a-z_]+)\}/g)) {
      if (EVERY_PLACEHOLDER.has(p) && !HOOK_PLACEHOLDERS[kind].includes(p)) {
        out.push({ path: [...at, k], message: `{${p}} means nothing in a '${kind}' hook (it is given ${HOOK_PLACEHOLDERS[kind].map((x) => `{${x}}`).join(', ')})` });
      }
    }
    return c;
  };
  const exec = command('exec');
  const heal = command('heal');
  return out.length > before ? undefined : { exec: exec!, heal: heal! };
}

/** `faults:` a method per node fault kind. Client faults take none: the fault proxy makes them wherever clients run. */
export function readFaultMethods(v: unknown, at: Path, out: Problems): FaultMethods | undefined {
  if (!isMapping(v)) {
    out.push({ path: at, message: got(`a mapping of node fault kinds (${NODE_FAULT_KINDS.join(', ')}) to ${METHOD_PHRASE}`, v) });
    return undefined;
  }
  const before = out.length;
  for (const k of Object.keys(v)) {
    if ((CLIENT_FAULT_KINDS as readonly string[]).includes(k)) {
      out.push({ path: [...at, k], message: `'${k}' takes no method: the fault proxy in front of the nodes makes it` });
    } else if (!(NODE_FAULT_KINDS as readonly string[]).includes(k)) {
      out.push({ path: [...at, k], message: `unknown fault kind (known: ${NODE_FAULT_KINDS.join(', ')})` });
    }
  }
  const methods: FaultMethods = {};
  for (const kind of NODE_FAULT_KINDS) {
    const m = v[kind];
    if (m === undefined) continue;
    if (m === 'ssh' || m === 'docker') methods[kind] = m;
    else if (typeof m === 'string') out.push({ path: [...at, kind], message: got(METHOD_PHRASE, m) });
    else {
      const hook = readHook(kind, m, [...at, kind], out);
      if (hook) methods[kind] = hook;
    }
  }
  return out.length > before ? undefined : methods;
}

/** The method a kind is made with: its own, or for crash-loop the kill method's (a crash loop is kills and restarts). */
export function methodFor(methods: FaultMethods | undefined, kind: NodeFaultKind): FaultMethodSpec | undefined {
  return methods?.[kind] ?? (kind === 'crash-loop' ? methods?.kill : undefined);
}

/**
 * What an external cluster can be made to suffer: the client faults always (the fault proxy needs no access to the
 * nodes), and each node fault the test names a method for. The external side of the registry's faultsOf.
 */
export function externalFaultKinds(methods: FaultMethods | undefined): FaultKind[] {
  return [...NODE_FAULT_KINDS.filter((k) => methodFor(methods, k) !== undefined), ...CLIENT_FAULT_KINDS, ...PROCESS_FAULT_KINDS];
}

/** `the external runtime has no way to inflict 'kill': …`, for a nemesis fault no method makes. */
export function noMethodFor(kind: FaultKind): string {
  // No fault method changes a clock: the nodes' servers would need libfaketime preloaded when they start.
  if (kind === 'clock') return "the external runtime cannot inflict 'clock' (no fault method changes a node's clock; the docker runtime can)";
  if (kind === 'membership') return "the external runtime cannot inflict 'membership' (no fault method asks a system to change its membership; the sim and docker runtimes can)";
  return `the external runtime has no way to inflict '${kind}': name one under faults (ssh, docker or an exec hook)`;
}

// ---- ssh ----

export const SSH_FIELDS = ['user', 'port', 'key', 'passphrase', 'password', 'sudo', 'knownHosts', 'process', 'logs'] as const;
const PROCESS_FIELDS = ['pattern', 'unit', 'start'] as const;

/** `ssh:` the login every node shares (a node's own `ssh` overrides host, port and user), and the server process. */
export function readSshSettings(v: unknown, at: Path, out: Problems): SshSettings | undefined {
  const m = mapping(v, at, out, 'a mapping of SSH settings (user, key, …)', SSH_FIELDS);
  if (!m) return undefined;
  const before = out.length;
  const user = m.user === undefined ? (out.push({ path: [...at, 'user'], message: 'expected the user to log in as, got nothing' }), undefined) : text(m.user, [...at, 'user'], out, 'a user name');
  const port = m.port === undefined ? undefined : tcpPort(m.port, [...at, 'port'], out);
  const secret = (k: 'key' | 'passphrase' | 'password', what: string) => (m[k] === undefined ? undefined : readSecretRef(m[k], [...at, k], out, what));
  const key = secret('key', 'key');
  const passphrase = secret('passphrase', 'passphrase');
  const password = secret('password', 'password');
  if (passphrase && !key) out.push({ path: [...at, 'passphrase'], message: 'a passphrase is for a key, and ssh names none' });
  let sudo: boolean | undefined;
  if (m.sudo !== undefined) {
    if (typeof m.sudo === 'boolean') sudo = m.sudo;
    else out.push({ path: [...at, 'sudo'], message: got('true or false', m.sudo) });
  }
  const knownHosts = m.knownHosts === undefined ? undefined : text(m.knownHosts, [...at, 'knownHosts'], out, 'a known_hosts file path');
  let process: SshSettings['process'];
  if (m.process !== undefined) {
    const p = mapping(m.process, [...at, 'process'], out, 'a mapping of pattern, unit and start', PROCESS_FIELDS);
    if (p) {
      const one = (k: (typeof PROCESS_FIELDS)[number], what: string) => (p[k] === undefined ? undefined : text(p[k], [...at, 'process', k], out, what));
      process = defined({ pattern: one('pattern', 'a pattern pkill -f matches'), unit: one('unit', 'a systemd unit'), start: one('start', 'the shell command that starts the server') });
      if (p.pattern === undefined && p.unit === undefined) {
        out.push({ path: [...at, 'process'], message: 'expected the server process by pattern (what pkill -f matches) or unit (a systemd unit), got neither' });
      }
    }
  }
  let logs: string[] | undefined;
  if (m.logs !== undefined) {
    if (!Array.isArray(m.logs)) out.push({ path: [...at, 'logs'], message: got('a list of file paths or globs on the nodes', m.logs) });
    else logs = m.logs.map((x, i) => text(x, [...at, 'logs', i], out, 'a file path or glob') ?? '');
  }
  if (out.length > before) return undefined;
  return defined({ user: user!, port, key, passphrase, password, sudo, knownHosts, process, logs }) as SshSettings;
}

// ---- the whole definition ----

/** The parts of a definition the checks below read, as the field schemas gave them. */
export interface ClusterFields {
  runtime: RuntimeName;
  nodes?: number | readonly NodeEntry[];
  faults?: FaultMethods;
  ssh?: SshSettings;
}

/**
 * What makes a definition's cluster wrong as a whole: addresses where the harness starts the nodes and none where it
 * does not; fault methods or SSH settings on a runtime that makes its own faults; a method without what it needs
 * (SSH settings, the server process, every node's container) or that cannot make its kind.
 */
export function clusterProblems(d: ClusterFields): Problem[] {
  const out: Problems = [];
  if (d.runtime !== 'external') {
    ownNodesProblems(d.runtime, d.nodes, out);
    for (const field of ['faults', 'ssh'] as const) {
      if (d[field] !== undefined) out.push({ path: [field], message: `only the external runtime takes ${field === 'faults' ? 'fault methods' : 'SSH settings'}: the ${d.runtime} runtime makes its own faults` });
    }
    return out;
  }
  const nodes = externalNodes(d.nodes, out);
  for (const kind of NODE_FAULT_KINDS) {
    const m = d.faults?.[kind];
    if (m !== 'ssh' && m !== 'docker') continue;
    const at: FieldPath = ['faults', kind];
    const cannot = METHOD_CANNOT[m][kind];
    if (cannot) {
      out.push({ path: at, message: `the ${m} method cannot make '${kind}' (${cannot})` });
    } else if (m === 'docker') {
      const bare = nodes?.find((n) => n.container === undefined);
      if (bare) out.push({ path: at, message: `the docker method needs each node's container, and node ${bare.name} names none` });
    } else if (!d.ssh) {
      out.push({ path: at, message: 'the ssh method needs the ssh settings (ssh: {user, key: {file: …}})' });
    } else if (kind !== 'partition' && kind !== 'loss' && !d.ssh.process) {
      out.push({ path: at, message: `'${kind}' by ssh needs ssh.process: the server's pattern (pkill -f) or systemd unit` });
    } else if ((kind === 'kill' || kind === 'crash-loop') && d.ssh.process?.unit === undefined && d.ssh.process?.start === undefined) {
      out.push({ path: at, message: `'${kind}' by ssh needs ssh.process.start or ssh.process.unit: the way to start the node again` });
    }
  }
  return out;
}

/** The canonical nodes of a definition whose cluster has no problems (clusterProblems): node objects on external. */
export function canonicalNodes(runtime: RuntimeName, nodes: number | readonly NodeEntry[]): number | string[] | ExternalNode[] {
  if (runtime === 'external') {
    return externalNodes(nodes, []) ?? []; // [] only where clusterProblems refused the definition already
  }
  return typeof nodes === 'number' ? nodes : (nodes as string[]).slice();
}

/** The fault methods in the canonical form: kinds in their vocabulary order. */
export function canonicalFaults(methods: FaultMethods): FaultMethods {
  const out: FaultMethods = {};
  for (const kind of NODE_FAULT_KINDS) {
    const m = methods[kind];
    if (m !== undefined) out[kind] = typeof m === 'string' ? m : defined({ exec: m.exec, heal: m.heal });
  }
  return out;
}

export function canonicalSsh(s: SshSettings): SshSettings {
  return defined({
    user: s.user,
    port: s.port,
    key: s.key && { ...s.key },
    passphrase: s.passphrase && { ...s.passphrase },
    password: s.password && { ...s.password },
    sudo: s.sudo,
    knownHosts: s.knownHosts,
    process: s.process && defined({ pattern: s.process.pattern, unit: s.process.unit, start: s.process.start }),
    logs: s.logs && [...s.logs],
  }) as SshSettings;
}

// ---- paths ----

/** A local path as given relative to `base` (a config file's directory, or the working directory for a flag); `~/` is home. */
function localPath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(base, p);
}

const secretAt = (ref: SecretRef | undefined, base: string): SecretRef | undefined => (ref && 'file' in ref ? { file: localPath(ref.file, base) } : ref);

/**
 * The local files the cluster fields name (secret files, known_hosts), made absolute where they were given, as
 * plugins are: the replay line and `faultline heal` find them from anywhere. Files on the nodes (logs) stay as given.
 */
export function nodesWithPathsFrom<N extends number | readonly NodeEntry[]>(nodes: N, base: string): N {
  if (!Array.isArray(nodes)) return nodes;
  return nodes.map((n: NodeEntry) => (typeof n === 'string' || n.password === undefined ? n : { ...n, password: secretAt(n.password, base) })) as unknown as N;
}

export function sshWithPathsFrom(s: SshSettings, base: string): SshSettings {
  return defined({
    ...s,
    key: secretAt(s.key, base),
    passphrase: secretAt(s.passphrase, base),
    password: secretAt(s.password, base),
    knownHosts: s.knownHosts === undefined ? undefined : localPath(s.knownHosts, base),
  });
}
