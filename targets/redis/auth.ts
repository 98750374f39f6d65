import type { RedisOptions } from 'ioredis';
import type { ClusterView } from '../../harness/runtimes/docker/target.js';

/** What a connection authenticates with (Redis 6 ACL user and password, or the `requirepass` password alone). */
export type RedisAuth = Pick<RedisOptions, 'username' | 'password'>;

/**
 * A node's credentials as ioredis takes them. None in Docker (faultline's servers have no password); on a cluster
 * the user runs, the node's `user` and `password` from the test (the password already read from where it points).
 */
export function authOf(view: ClusterView, node: string): RedisAuth {
  const c = view.credentials(node);
  const auth: RedisAuth = {};
  if (c?.user !== undefined) auth.username = c.user;
  if (c?.password !== undefined) auth.password = c.password;
  return auth;
}

/**
 * The replies of a server that will not have these credentials: no password given where one is required (NOAUTH),
 * a wrong one (WRONGPASS; ERR invalid password before Redis 6), or a user not allowed the commands (NOPERM).
 * Waiting does not change them.
 */
export function isAuthRefusal(message: string): boolean {
  return /^(NOAUTH|WRONGPASS|NOPERM)\b|^ERR invalid password/.test(message);
}

/** What to tell the user about a refusal of the credentials of `label` ("redis on n1"). */
export function refusal(label: string, message: string): string {
  const first = message.split('\n')[0];
  if (/^NOAUTH/.test(first)) return `${label} asks for a password (${first}): give the node a password ({ env: VAR } or { file: path })`;
  return `${label} refuses the credentials: ${first}`;
}
