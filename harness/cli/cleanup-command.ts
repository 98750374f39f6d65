import { Command } from 'commander';
import { removeLeftovers } from '../runtimes/docker/cleanup.js';
import { dockerClient } from '../runtimes/docker/images.js';

interface CleanupFlags {
  run?: string;
  all?: boolean;
  dryRun?: boolean;
}

/**
 * `faultline cleanup`: removes the containers and networks that Docker runs left behind when their faultline
 * process died without tearing down (SIGKILL, a crash, a lost machine). Runs whose process is still alive are left
 * alone unless `--all` or `--run <id>` says otherwise.
 */
export function cleanupCommand(program: Command): void {
  program
    .command('cleanup')
    .description('remove containers and networks left behind by Docker runs that died')
    .option('--run <id>', 'only this run (its id is in the container names: faultline-<id>-n1)')
    .option('--all', 'also the runs whose faultline process is still alive')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (flags: CleanupFlags) => {
      const docker = await dockerClient();
      const left = await removeLeftovers(docker, { runId: flags.run, all: flags.all, dryRun: flags.dryRun });
      const verb = flags.dryRun ? 'would remove' : 'removed';
      for (const c of left.containers) process.stdout.write(`${verb} container ${c}\n`);
      for (const n of left.networks) process.stdout.write(`${verb} network ${n}\n`);
      if (left.liveRuns.length) process.stdout.write(`kept the live run${left.liveRuns.length > 1 ? 's' : ''} ${left.liveRuns.join(', ')} (--all removes them too)\n`);
      for (const { run, origin } of left.foreignRuns) process.stdout.write(`kept the run ${run}, made elsewhere (${origin}): its process cannot be checked from here (--run ${run} or --all removes it)\n`);
      process.stdout.write(`${verb} ${left.containers.length} container(s) and ${left.networks.length} network(s)\n`);
    });
}
