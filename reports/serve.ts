import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, relative, isAbsolute, sep } from 'node:path';
import { esc } from './html.js';

/**
 * Jepsen's `serve`: the store's index and every run's report and files over HTTP, read-only. Only what lies inside
 * the store is served: a path with a `..` segment is refused before the disk is touched, and every path is
 * resolved with its links followed and must still lie inside the store's own real path — `latest` (a link to a
 * run) is served, a link out of the store is not. Dot-files (the store's temporary names) are not served.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // Histories and logs are read in the browser, not downloaded.
  '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** A directory listing is static HTML: no script, nothing fetched. */
const LISTING_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** An HTTP server of the store at `storeRoot` (not yet listening). */
export async function storeServer(storeRoot: string): Promise<Server> {
  const root = await realpath(storeRoot);
  return createServer((req, res) => {
    serve(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'read-only: GET and HEAD only', { Allow: 'GET, HEAD' });
  // The raw path, not `new URL(...)`'s: the URL parser would quietly resolve `..` away, and we refuse it instead.
  const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0];
  let segments: string[];
  try {
    segments = rawPath.split('/').map(decodeURIComponent);
  } catch {
    return send(res, 400, 'bad path encoding');
  }
  if (segments.some((s) => s === '..' || s.includes('\\') || s.includes('/') || s.includes('\0'))) return send(res, 403, 'outside the store');
  const parts = segments.filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s.startsWith('.'))) return send(res, 404, 'not found');

  const real = await realpath(join(root, ...parts)).catch(() => undefined);
  if (real === undefined) return send(res, 404, 'not found');
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return send(res, 403, 'outside the store');
  const st = await stat(real).catch(() => undefined);
  if (st === undefined) return send(res, 404, 'not found');

  if (st.isDirectory()) {
    // Relative links in a page (the index's `run/report.html`) need the trailing slash.
    // The location is built from the checked segments: a raw `//host` would make it a redirect off the site.
    if (!rawPath.endsWith('/')) return send(res, 301, 'moved', { Location: `/${parts.map(encodeURIComponent).join('/')}${parts.length ? '/' : ''}` });
    const index = join(real, 'index.html');
    const ist = await stat(index).catch(() => undefined);
    if (ist?.isFile()) return sendFile(req, res, index, ist.size);
    return sendListing(req, res, real, `/${parts.join('/')}`);
  }
  if (!st.isFile()) return send(res, 404, 'not found');
  return sendFile(req, res, real, st.size);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, size: number): void {
  res.writeHead(200, {
    'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'X-Content-Type-Options': 'nosniff',
    // A run's files change as it runs (history.jsonl grows, report.html is rewritten): always ask again.
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** A run directory without an index.html: its files, each a link (dot-files left out, as they are not served). */
async function sendListing(req: IncomingMessage, res: ServerResponse, dir: string, urlPath: string): Promise<void> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
  const items = names.map((n) => `<li><a href="${esc(encodeURIComponent(n.replace(/\/$/, '')) + (n.endsWith('/') ? '/' : ''))}">${esc(n)}</a></li>`);
  const up = urlPath === '/' ? '' : '<li><a href="../">../</a></li>';
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(urlPath)}</title></head><body><h1>${esc(urlPath)}</h1><ul>${up}${items.join('')}</ul></body></html>\n`;
  res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Length': Buffer.byteLength(body), 'Content-Security-Policy': LISTING_CSP, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${status} ${text}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}
