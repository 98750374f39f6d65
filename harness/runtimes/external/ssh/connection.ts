import type { Writable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { describeError, usageError } from '../../../errors.js';
import type { SshLogin } from '../method.js';
import { connectConfig, describeLogin } from './login.js';

/** A command that has not finished within this long is stuck (a hung sudo, a wedged iptables lock): an error, not a wait. */
export const COMMAND_TIMEOUT_MS = 30_000;

export interface RunOptions {
  /** How long the command may take (default COMMAND_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Where its output goes, instead of being returned (a log file copied from the node). */
  stdout?: Writable;
  /** Whether a non-zero exit is the caller's to read (`code`) rather than an error. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One node's SSH connection, kept open for the whole run (a fault is one command on it, not a new login), and
 * opened again by the next command when the node dropped it. A script runs as the login's user, or as root through
 * `sudo -n` (never a password prompt: a sudo that wants one fails, and says so).
 *
 * The script is fed to `sh -s` on its standard input, not on the command line: `pkill -f redis-server` matches
 * every process whose command line holds the pattern, and a shell started as `sh -c '… pkill -f redis-server …'`
 * would be one of them and kill itself. On stdin, the only command lines are `sh -s` and the commands themselves.
 * The script is one `{ … } </dev/null` group: the shell reads it whole before it runs it, so no command in it can
 * read the rest of the script as its input.
 */
export class SshConnection {
  private client: Promise<Client> | undefined;
  /** The logged-in client behind `client`, once it is: what a close or an error of it refers to. */
  private live: Client | undefined;
  /**
   * The port sshd listens on as the node sees it (`$SSH_CONNECTION`'s), which is not the login's port behind a NAT
   * or a published container port: what the network faults spare so that they never cut this connection.
   */
  sshdPort: number;

  private constructor(
    readonly node: string,
    readonly login: SshLogin,
    private readonly log: (line: string) => void,
  ) {
    this.sshdPort = login.port;
  }

  /** Logs in to the node; a failure is a one-line error naming the node and the login, never a secret. */
  static async open(node: string, login: SshLogin, log: (line: string) => void): Promise<SshConnection> {
    const c = new SshConnection(node, login, log);
    await c.connected();
    // Not through run(): no sudo, whose reset environment has no SSH_CONNECTION.
    const seen = await c.plain('echo "$SSH_CONNECTION"').catch(() => '');
    const port = Number(seen.trim().split(/\s+/)[3]);
    if (Number.isInteger(port) && port > 0) c.sshdPort = port;
    return c;
  }

  /** Runs a script; `what` names it in errors and run.log. A non-zero exit is an error naming its last line of stderr. */
  async run(what: string, script: string, options: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
    const command = this.login.sudo ? 'sudo -n sh -s' : 'sh -s';
    // A connection that went since the last command (the node dropped it) is noticed here: log in again, once.
    const start = async (again: boolean): Promise<ClientChannel> => {
      const client = await this.connected();
      try {
        return await new Promise<ClientChannel>((resolve, reject) => client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel))));
      } catch (e) {
        this.forget(client);
        if (again) return start(false);
        throw usageError(`ssh: ${this.node}: ${what}: cannot start a command (${describeError(e)})`);
      }
    };
    const channel = await start(true);
    const result = await collect(channel, script, options.stdout, timeoutMs).catch((e: unknown) => {
      throw usageError(`ssh: ${this.node}: ${what}: ${e instanceof TimeoutError ? `did not finish within ${timeoutMs / 1000} s` : describeError(e)}`);
    });
    if (result.code === undefined) {
      throw usageError(`ssh: ${this.node}: ${what}: the connection closed before the command finished (is the node cut off from the harness?)`);
    }
    const status = `ssh: ${this.node}: ${what}: exit ${result.code}`;
    this.log([status, ...indented(result.stdout), ...indented(result.stderr)].join('\n'));
    if (result.code !== 0 && !options.allowFailure) {
      const why = lastLine(result.stderr) || lastLine(result.stdout) || 'no output';
      throw usageError(`ssh: ${this.node}: ${what} failed (exit ${result.code}): ${why}`);
    }
    return { ...result, code: result.code };
  }

  /** A one-line command as the login's user, outside the script wrapper; its output. */
  private async plain(command: string): Promise<string> {
    const client = await this.connected();
    return new Promise((resolve, reject) => {
      client.exec(command, (err, channel) => (err ? reject(err) : collect(channel, undefined, undefined, COMMAND_TIMEOUT_MS).then((r) => resolve(r.stdout), reject)));
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.live = undefined;
    if (client) (await client.catch(() => undefined))?.end();
  }

  private connected(): Promise<Client> {
    return (this.client ??= this.connect().catch((e: unknown) => {
      this.client = undefined;
      throw e;
    }));
  }

  private async connect(): Promise<Client> {
    const { Client } = await import('ssh2');
    const { config, hostKey } = connectConfig(this.login);
    const client = new Client();
    const cantLogIn = (why: string) => usageError(`ssh: ${this.node}: cannot log in as ${describeLogin(this.login)}: ${why}`);
    let ready = false;
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => {
        ready = true;
        resolve();
      });
      // Listening for the whole life of the client: ssh2 may emit more than one error, and an unheard one would crash the run.
      client.on('error', (e: Error & { level?: string }) => {
        if (ready) return this.forget(client);
        client.end();
        if (e.level === 'client-authentication') reject(cantLogIn('the server accepted none of the configured credentials (key or password)'));
        else if (hostKey && /verification failed/i.test(e.message)) reject(cantLogIn(`host key refused: ${hostKey.refusal}`));
        else reject(cantLogIn(describeError(e)));
      });
      client.on('close', () => (ready ? this.forget(client) : reject(cantLogIn('the connection closed during the handshake'))));
      try {
        client.connect(config);
      } catch (e) {
        // A key ssh2 cannot read (another format, encrypted without a passphrase) is thrown here, not emitted.
        reject(cantLogIn(describeError(e)));
      }
    });
    this.live = client;
    return client;
  }

  /** The connection is gone (the node rebooted, a network fault outlasted the keepalives): the next command logs in again. */
  private forget(client: Client): void {
    if (this.live !== client) return;
    this.live = undefined;
    this.client = undefined;
    this.log(`ssh: ${this.node}: connection to ${describeLogin(this.login)} lost; the next command logs in again`);
  }
}

class TimeoutError extends Error {}

/** A command's outcome; no exit status (`code` undefined) when the connection went before the command ended. */
type Collected = Omit<RunResult, 'code'> & { code: number | undefined };

/**
 * Feeds the script (none: the command is all), gathers stdout (or streams it) and stderr, and settles with the exit
 * status.
 */
function collect(channel: ClientChannel, script: string | undefined, sink: Writable | undefined, timeoutMs: number): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let code: number | undefined;
    let signal: string | undefined;
    const timer = setTimeout(() => {
      reject(new TimeoutError());
      channel.close();
    }, timeoutMs);
    if (sink) channel.pipe(sink);
    else channel.on('data', (b: Buffer) => out.push(b));
    channel.stderr.on('data', (b: Buffer) => err.push(b));
    channel.on('exit', (c: number | null, s?: string) => {
      code = c ?? undefined;
      signal = s;
    });
    channel.on('close', () => {
      clearTimeout(timer);
      const finish = () =>
        resolve({
          // A command killed by a signal has no exit code; 128 + n is how a shell would report it.
          code: code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : undefined),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      if (sink && !sink.writableFinished) sink.once('finish', finish).once('error', reject);
      else finish();
    });
    channel.end(script === undefined ? undefined : `{\n${script}\n} </dev/null\n`);
  });
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, TERM: 15 };

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

function indented(text: string): string[] {
  return text.trim() === '' ? [] : text.trimEnd().split('\n').map((l) => `  ${l}`);
}
