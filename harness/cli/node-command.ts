import { Command } from 'commander';
import { usageError } from '../errors.js';
import { builtinSimTargets } from '../../targets/sim.js';
import { parsePeers } from '../hosting/address.js';
import { startNode } from '../hosting/node-process.js';

interface NodeFlags {
  id: string;
  listen: string;
  peers?: string;
  dataDir: string;
  bug?: string;
}

/**
 * `faultline node <target>`: one node of a target as an OS process, speaking TCP, keeping its durable state in
 * a directory. It runs the same node program as the simulation (harness/node.ts is all a program sees), so the
 * Docker runtime can put these processes in containers. Prints `listening on host:port` once it accepts
 * connections, and runs until killed.
 */
export function nodeCommand(program: Command): void {
  // By name, from the node programs alone (not the registry, which would load the checkers too).
  const targets = new Map((builtinSimTargets.simTargets ?? []).map((t) => [t.name, t]));
  program
    .command('node')
    .description('run one node of a target as a process over TCP (the same code as in the simulation)')
    .argument('<target>', `target: ${[...targets.keys()].join(', ')}`)
    .requiredOption('--id <id>', 'this node’s id, e.g. n1')
    .requiredOption('--listen <host:port>', 'address to accept peers and clients on (port 0: any)')
    .option('--peers <list>', 'the other nodes, e.g. n2=127.0.0.1:7002,n3=127.0.0.1:7003')
    .requiredOption('--data-dir <dir>', 'where the node keeps what must survive a crash')
    .option('--bug <name>', 'run with a named bug of the target')
    .action(async (name: string, flags: NodeFlags) => {
      const target = targets.get(name);
      if (!target) throw usageError(`unknown target '${name}' (known: ${[...targets.keys()].join(', ')})`);
      if (flags.bug !== undefined && !target.bugs.includes(flags.bug)) {
        throw usageError(`target ${name} has no bug '${flags.bug}' (${target.bugs.length ? `known: ${target.bugs.join(', ')}` : 'it has none'})`);
      }
      const peers = flags.peers ? parsePeers(flags.peers) : {};
      const node = await startNode({ id: flags.id, listen: flags.listen, peers, dataDir: flags.dataDir, factory: target.node(flags.bug, {}) });
      process.stdout.write(`listening on ${node.address}\n`);
      const stop = () => void node.close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
