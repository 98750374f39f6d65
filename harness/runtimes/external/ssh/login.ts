import type { ConnectConfig } from 'ssh2';
import type { ExternalNode, SshSettings } from '../../../config/cluster-spec.js';
import { readPassword, readSecret } from '../../../config/secrets.js';
import type { SshLogin } from '../method.js';
import { knownHostsCheck, type HostKeyCheck } from './known-hosts.js';

export const DEFAULT_SSH_PORT = 22;

/**
 * How to log in to one node: its own `ssh` override (a published port, another user) over the test's settings, at
 * the node's host on port 22 unless either says otherwise. Secrets stay references: this is what the journal keeps.
 */
export function sshLogin(node: ExternalNode, settings: SshSettings): SshLogin {
  return {
    host: node.ssh?.host ?? node.host,
    port: node.ssh?.port ?? settings.port ?? DEFAULT_SSH_PORT,
    user: node.ssh?.user ?? settings.user,
    ...(settings.key !== undefined && { key: settings.key }),
    ...(settings.passphrase !== undefined && { passphrase: settings.passphrase }),
    ...(settings.password !== undefined && { password: settings.password }),
    ...(settings.sudo !== undefined && { sudo: settings.sudo }),
    ...(settings.knownHosts !== undefined && { knownHosts: settings.knownHosts }),
  };
}

/** `user@host:port`: how a login is named in errors and run.log (never with a secret). */
export function describeLogin(login: SshLogin): string {
  return `${login.user}@${login.host}:${login.port}`;
}

/** A node that does not answer within this long is down or unreachable: said at once, not after the OS's time-out. */
const READY_TIMEOUT_MS = 15_000;
/** Keepalives find a dead connection (a rebooted node) between commands; the next command then logs in again. */
const KEEPALIVE_MS = 5_000;

/**
 * ssh2's options for a login, with its secrets read now (from the environment or the files the test names) and held
 * only in this object, and the host key check: against `knownHosts` when given, else any key (Jepsen's default, and
 * what a cluster of fresh machines needs). `hostKey.refusal` says why a key was refused.
 */
export function connectConfig(login: SshLogin): { config: ConnectConfig; hostKey?: HostKeyCheck } {
  const hostKey = login.knownHosts === undefined ? undefined : knownHostsCheck(login.knownHosts, login.host, login.port);
  const config: ConnectConfig = {
    host: login.host,
    port: login.port,
    username: login.user,
    readyTimeout: READY_TIMEOUT_MS,
    keepaliveInterval: KEEPALIVE_MS,
    keepaliveCountMax: 3,
    ...(login.key !== undefined && { privateKey: readSecret(login.key, 'ssh: key') }),
    ...(login.passphrase !== undefined && { passphrase: readPassword(login.passphrase, 'ssh: passphrase') }),
    ...(login.password !== undefined && { password: readPassword(login.password, 'ssh: password') }),
    ...(hostKey !== undefined && { hostVerifier: (key: Buffer) => hostKey.accepts(key) }),
  };
  return { config, hostKey };
}
