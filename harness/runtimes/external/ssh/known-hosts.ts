import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usageError } from '../../../errors.js';

/**
 * OpenSSH's known_hosts check (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): a node's host key must be one the file lists
 * for its name, so a machine impersonating a node is refused before any command, or password, reaches it. Lines are
 * `[marker] hostpatterns keytype base64-key [comment]`; a name on a port other than 22 is written `[host]:port`; a
 * hashed name is `|1|salt|hmac-sha1(salt, name)` (HashKnownHosts). `@revoked` keys are refused for every host;
 * `@cert-authority` lines sign certificates, which a plain host key is not, so they are skipped.
 */
export interface HostKeyCheck {
  /** Whether the server's key (the raw SSH key blob) is one the file accepts for this host. */
  accepts(key: Buffer): boolean;
  /** Why the last refused key was refused, for the error. */
  readonly refusal: string;
}

interface Entry {
  marker?: string;
  patterns: string;
  key: Buffer;
}

/** The check for one host and port against a known_hosts file; an unreadable file is the user's to fix, at once. */
export function knownHostsCheck(file: string, host: string, port: number): HostKeyCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw usageError(`ssh: cannot read known_hosts file ${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return hostKeyCheck(parseKnownHosts(text), port === 22 ? host : `[${host}]:${port}`, file);
}

export function parseKnownHosts(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (fields.length < 3) continue;
    entries.push({ marker, patterns: fields[0], key: Buffer.from(fields[2], 'base64') });
  }
  return entries;
}

function hostKeyCheck(entries: readonly Entry[], name: string, file: string): HostKeyCheck {
  let refusal = '';
  return {
    get refusal() {
      return refusal;
    },
    accepts(key) {
      if (entries.some((e) => e.marker === '@revoked' && e.key.equals(key))) {
        refusal = `its host key is marked @revoked in ${file}`;
        return false;
      }
      const listed = entries.filter((e) => e.marker === undefined && namesHost(e.patterns, name));
      if (listed.some((e) => e.key.equals(key))) return true;
      refusal = listed.length === 0 ? `${name} is not in ${file}` : `its host key is not the one ${file} lists for ${name} (changed, or another machine)`;
      return false;
    },
  };
}

/** Whether a line's host patterns (comma-separated; `*` and `?` wildcards, `!` negations, or one hashed name) name the host. */
export function namesHost(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    if (!wildcard(negated ? p.slice(1) : p).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}
