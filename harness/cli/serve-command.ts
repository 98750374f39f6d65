import { statSync } from 'node:fs';
import { Command } from 'commander';
import { describeError, usageError } from '../errors.js';
import { DEFAULTS } from '../config/definition.js';

interface ServeFlags {
  store: string;
  port: string;
  host: string;
}

/** Jepsen's port for `serve`. */
const DEFAULT_PORT = 8080;

/**
 * `faultline serve [--store dir] [--port n] [--host 127.0.0.1]` (Jepsen's `serve`): the store's index and every
 * run's report and files over HTTP, read-only, on localhost unless another host is asked for. Runs until SIGINT
 * (exit 130) or SIGTERM (143), as `faultline run` does.
 */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description("serve the store's index and reports over HTTP (read-only, localhost by default) until Ctrl-C")
    .option('--store <dir>', 'the store', DEFAULTS.store)
    .option('--port <n>', `the port (0: any free one)`, String(DEFAULT_PORT))
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .action(async (flags: ServeFlags) => {
      if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535) throw usageError(`serve: --port ${flags.port}: not a port (0 to 65535)`);
      if (!statSync(flags.store, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`serve: ${flags.store}: no such store directory`);
      const { storeServer } = await import('../../reports/serve.js');
      const server = await storeServer(flags.store);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          // A port in use or an address not on this machine is the user's to change.
          reject(e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES' || e.code === 'ENOTFOUND' ? usageError(`serve: ${flags.host}:${flags.port}: ${describeError(e)}`) : e),
        );
        server.listen(Number(flags.port), flags.host, () => resolve());
      });
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : Number(flags.port);
      const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
      process.stdout.write(`serving ${flags.store} at http://${host}:${port}/\n`);
      const code = await new Promise<number>((resolve) => {
        process.once('SIGINT', () => resolve(130));
        process.once('SIGTERM', () => resolve(143));
      });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      process.exitCode = code;
    });
}
