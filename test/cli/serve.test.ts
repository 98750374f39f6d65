import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDir, updateLatest } from '../../harness/store/index.js';
import { writeStoreIndex } from '../../reports/write.js';
import { bin, faultline, root as repo } from '../support/cli.js';

/** A raw request: the path is sent as written (`..` and all), as a hostile client would send it. */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], location: res.headers.location, body }));
    });
    req.on('error', reject).end();
  });
}

/** `faultline serve` started, and the URL it printed (once it listens). */
function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; exit: Promise<{ code: number | null; stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /^serving .* at (http:\S+)\n/m.exec(stdout);
      if (m) resolve({ child, url: m[1], exit });
    });
    void exit.then((r) => reject(new Error(`serve exited ${r.code} before listening: ${r.stderr}`)));
  });
}

describe('cli: faultline serve', function () {
  const base = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
  const store = join(base, 'store');
  // Beside the store, never to be served.
  const secret = join(base, 'secret');
  let run = '';
  let served: Awaited<ReturnType<typeof startServe>>;
  let port = 0;

  before(async () => {
    mkdirSync(secret);
    writeFileSync(join(secret, 'key.txt'), 'TOP-SECRET');
    const dir = await createRunDir(store, 'raft-kv register', new Date(Date.UTC(2026, 11, 1)));
    run = dir.slice(store.length + 1);
    writeFileSync(join(dir, 'history.jsonl'), '{"index":0,"type":"invoke","f":"read","process":0,"time":0,"value":null}\n');
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid: true, test: { name: 'raft-kv register' } }));
    writeFileSync(join(dir, 'report.html'), '<!doctype html><title>the report</title>REPORT-BODY');
    await updateLatest(store, dir);
    await writeStoreIndex(store);
    // A link out of the store, to a directory and to a file, as a careless user or a hostile run might leave.
    symlinkSync(secret, join(store, 'escape'));
    symlinkSync(join(secret, 'key.txt'), join(dir, 'key.txt'));
    served = await startServe(['--store', store, '--port', '0']);
    port = Number(new URL(served.url).port);
  });
  after(() => {
    if (served?.child.exitCode === null) served.child.kill('SIGKILL');
  });

  it('says where it serves, on localhost by default', () => {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(port > 0);
  });

  it("serves the store's index as HTML", async () => {
    const r = await get(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/html; charset=utf-8');
    assert.ok(r.body.includes(`${run.split('/').map(encodeURIComponent).join('/')}/report.html`), 'the index links the run');
    assert.equal((await get(port, '/index.html')).body, r.body);
  });

  it("serves a run's report and its files, also through latest", async () => {
    const r = await get(port, `/${run}/report.html`);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/html; charset=utf-8');
    assert.match(r.body, /REPORT-BODY/);
    const history = await get(port, '/latest/history.jsonl');
    assert.equal(history.status, 200);
    assert.match(history.body, /"type":"invoke"/);
    assert.equal((await get(port, '/latest/results.json')).type, 'application/json; charset=utf-8');
    // A directory without its slash is redirected, so the page's relative links resolve.
    const redirect = await get(port, '/latest');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.location, '/latest/');
    const listing = await get(port, '/latest/');
    assert.equal(listing.status, 200);
    assert.match(listing.body, /href="report\.html"/);
  });

  it('answers 404 for what is not there, and for dot-files', async () => {
    assert.equal((await get(port, '/no-such-test/report.html')).status, 404);
    assert.equal((await get(port, `/${run}/missing.json`)).status, 404);
    assert.equal((await get(port, '/.hidden')).status, 404);
  });

  it('refuses `..`, raw or encoded, without serving what lies outside', async () => {
    for (const path of ['/../secret/key.txt', '/latest/../../secret/key.txt', '/%2e%2e/secret/key.txt', '/latest/%2E%2E%2F%2E%2E%2Fsecret%2Fkey.txt', '/..%5csecret%5ckey.txt']) {
      const r = await get(port, path);
      // Refused as such (403) before the disk is looked at; the dot-file rule (404) is a second guard behind it.
      assert.equal(r.status, 403, path);
      assert.ok(!r.body.includes('TOP-SECRET'), path);
    }
  });

  it('refuses a link that leads out of the store, to a directory or to a file', async () => {
    for (const path of ['/escape/key.txt', '/escape/', `/${run}/key.txt`]) {
      const r = await get(port, path);
      assert.equal(r.status, 403, path);
      assert.ok(!r.body.includes('TOP-SECRET'), path);
    }
  });

  it('is read-only', async () => {
    const r = await get(port, '/index.html', 'PUT');
    assert.equal(r.status, 405);
    assert.equal((await get(port, '/latest/report.html', 'DELETE')).status, 405);
    assert.equal((await get(port, '/latest/report.html')).status, 200);
  });

  it('stops on SIGINT and exits 130, as run does', async () => {
    served.child.kill('SIGINT');
    const r = await served.exit;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stderr, '');
    await assert.rejects(get(port, '/'));
  });

  it('refuses a port in use, a bad port and a missing store in one line, exit 254', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const inUse = faultline(['serve', '--store', store, '--port', String((busy.address() as { port: number }).port)]);
      assert.equal(inUse.code, 254, inUse.stderr);
      assert.match(inUse.stderr, /^faultline: serve: 127\.0\.0\.1:\d+: [^\n]*EADDRINUSE[^\n]*\n$/);
    } finally {
      busy.close();
    }
    for (const args of [['--port', '70000'], ['--port', '80x'], ['--store', join(base, 'nowhere')]]) {
      const r = faultline(['serve', '--store', store, ...args]);
      assert.equal(r.code, 254, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^faultline: serve: [^\n]+\n$/);
      assert.equal(r.stdout, '');
    }
  });
});
