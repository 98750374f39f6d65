import { Command } from 'commander';
import { buildLocalImage, dockerClient, imageExists, LOCAL_IMAGE, OFFICIAL_IMAGES } from '../runtimes/docker/images.js';

/**
 * `faultline images build [--force] [--mirror url]`: builds the local image the Docker runtime uses on machines
 * without a registry (a no-op when it exists). `faultline images status`: that image, and what `--images auto` picks.
 */
export function imagesCommand(program: Command): void {
  const images = program.command('images').description('the Docker runtime\'s images: build the local one, or show which are used');

  images
    .command('build')
    .description(`build ${LOCAL_IMAGE} (Debian bookworm: Redis, PostgreSQL, iptables, this Node) with debootstrap; needs root`)
    .option('--force', 'build again even if the image exists')
    .option('--mirror <url>', 'Debian mirror (default: $FAULTLINE_DEBIAN_MIRROR or http://deb.debian.org/debian)')
    .action(async (flags: { force?: boolean; mirror?: string }) => {
      const docker = await dockerClient();
      const log = (line: string) => process.stdout.write(`images build: ${line}\n`);
      const { tag, built, ms } = await buildLocalImage(docker, { force: flags.force, mirror: flags.mirror, log });
      const seconds = (ms / 1000).toFixed(1);
      process.stdout.write(built ? `built ${tag} in ${seconds} s\n` : `${tag} exists (--force builds it again)\n`);
    });

  images
    .command('status')
    .description('show the local image\'s tag, whether it is built, and which images --images auto picks')
    .action(async () => {
      const docker = await dockerClient();
      const local = await imageExists(docker, LOCAL_IMAGE);
      const official = [OFFICIAL_IMAGES.redis, OFFICIAL_IMAGES.postgres, OFFICIAL_IMAGES.node, OFFICIAL_IMAGES.netTools].filter((i): i is string => i !== undefined);
      const present = await Promise.all(official.map((i) => imageExists(docker, i)));
      process.stdout.write(
        [
          `local     ${LOCAL_IMAGE}  ${local ? 'built' : 'not built (faultline images build)'}`,
          `official  ${official.map((i, k) => `${i}${present[k] ? '' : ' (not pulled)'}`).join(', ')}`,
          `auto      ${local ? 'local' : 'official (pulled on first use)'}`,
        ].join('\n') + '\n',
      );
    });
}
