import type { NodeContext, NodeFactory, NodeProgram } from '../node.js';
import { UsageError } from '../errors.js';
import { parseAddress } from './address.js';
import { FileStorage } from './file-storage.js';
import { TcpTransport } from './tcp-transport.js';

export interface NodeProcessOptions {
  id: string;
  /** `host:port` to accept peers and clients on (port 0: any free port; see `RunningNode.address`). */
  listen: string;
  /** The other nodes: id → `host:port` (this node's own id, if listed, is ignored). */
  peers: Readonly<Record<string, string>>;
  /** Where the node's durable storage lives (created if missing; reused after a restart). */
  dataDir: string;
  factory: NodeFactory;
  /** Where ctx.log lines go (default: stderr, prefixed with the time and the node id). */
  log?: (line: string) => void;
  /**
   * What happens when the program throws (from receive or a timer). Default: the error propagates, and an OS
   * process dies of it, as a crashing server would. Tests pass a handler to see it instead.
   */
  onError?: (e: unknown) => void;
}

export interface RunningNode {
  readonly id: string;
  /** The bound listen address. */
  readonly address: string;
  readonly program: NodeProgram;
  readonly transport: TcpTransport;
  /** Stops the node: no more timers, deliveries or sends; the listen socket and connections are closed. */
  close(): Promise<void>;
}

/**
 * Runs a node program as (part of) this OS process: the NodeContext over real time, TCP and a data directory.
 * `faultline node <target> --id … --listen … --peers …` is this plus argument parsing.
 */
export async function startNode(options: NodeProcessOptions): Promise<RunningNode> {
  const { id, factory } = options;
  if (!id) throw new UsageError('a node needs an id');
  parseAddress(options.listen, 'listen address');
  const log = options.log ?? ((line: string) => void process.stderr.write(`${new Date().toISOString()} ${id} ${line}\n`));
  const fail = (e: unknown) => {
    if (!options.onError) throw e;
    log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    options.onError(e);
  };

  let program: NodeProgram | undefined;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const transport = new TcpTransport({
    id,
    listen: options.listen,
    peers: options.peers,
    log,
    onMessage: (from, msg) => {
      // Before the program exists or after it stopped, a message is as good as lost in the network.
      if (stopped || !program) return;
      try {
        program.receive(from, msg);
      } catch (e) {
        fail(e);
      }
    },
  });
  const storage = new FileStorage(options.dataDir);
  const address = await transport.listen();

  const ctx: NodeContext = {
    id,
    peers: Object.keys(options.peers).filter((p) => p !== id),
    now: () => performance.now(),
    setTimer: (ms, fn) => {
      if (stopped) return () => {};
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped) return;
        try {
          fn();
        } catch (e) {
          fail(e);
        }
      }, Math.max(0, ms));
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
    send: (to, msg) => {
      if (!stopped) transport.send(to, msg);
    },
    storage,
    log,
  };
  try {
    program = factory(ctx);
  } catch (e) {
    stopped = true;
    await transport.close();
    throw e;
  }
  log(`listening on ${address}`);

  return {
    id,
    address,
    program,
    transport,
    async close() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await transport.close();
    },
  };
}
