import { UsageError } from '../errors.js';

/** A TCP endpoint, `host:port` (IPv6 hosts in brackets: `[::1]:7001`). */
export interface Address {
  host: string;
  port: number;
}

/** Parses `host:port`; bad input is the user's to fix (UsageError, one line). Port 0 means "any free port". */
export function parseAddress(text: string, what = 'address'): Address {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`bad ${what} '${text}' (expected host:port)`);
  return { host: m[1] ?? m[2], port };
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * Parses a peer list `n2=127.0.0.1:7002,n3=127.0.0.1:7003` (the form of `faultline node --peers`) into id → address.
 */
export function parsePeers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const id = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!id) throw new UsageError(`bad peer '${part}' (expected id=host:port)`);
    if (id in out) throw new UsageError(`peer '${id}' is listed twice`);
    const addr = part.slice(eq + 1).trim();
    parseAddress(addr, `address of peer '${id}'`);
    out[id] = addr;
  }
  return out;
}
