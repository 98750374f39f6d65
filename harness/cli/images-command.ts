import { Command } from 'commander';
import { builtinLocalImage, builtinRegistry } from '../builtins.js';
import { buildLocalImage, dockerClient, imageExists } from '../runtimes/docker/images.js';
import { NET_TOOLS_IMAGE } from '../runtimes/docker/run-images.js';

/**
 * `faultline images build [--force] [--mirror url]`: builds the local image the Docker runtime uses on machines
 * without a registry (a no-op when it exists). `faultline images status`: that image, and what `--images auto` picks.
 */
export function imagesCommand(program: Command): void {
  const images = program.command('images').description('the Docker runtime\'s images: build the local one, or show which are used');
  const local = builtinLocalImage();

  images
    .command('build')
    .description(`build ${local.tag} (Debian bookworm with this Node and ${local.packages.join(', ')}) with debootstrap; needs root`)
    .option('--force', 'build again even if the image exists')
    .option('--mirror <url>', 'Debian mirror (default: $FAULTLINE_DEBIAN_MIRROR or http://deb.debian.org/debian)')
    .action(async (flags: { force?: boolean; mirror?: string }) => {
      const docker = await dockerClient();
      const log = (line: string) => process.stdout.write(`images build: ${line}\n`);
      const { tag, built, ms } = await buildLocalImage(docker, local, { force: flags.force, mirror: flags.mirror, log });
      const seconds = (ms / 1000).toFixed(1);
      process.stdout.write(built ? `built ${tag} in ${seconds} s\n` : `${tag} exists (--force builds it again)\n`);
    });

  images
    .command('status')
    .description('show the local image\'s tag, whether it is built, and which images --images auto picks')
    .action(async () => {
      const docker = await dockerClient();
      const built = await imageExists(docker, local.tag);
      // What faultline's own targets run from the registry: each pulls only its own roles' images, when first run.
      const roles = [...builtinRegistry().dockerTargets().values()].flatMap((t) => Object.values(t.images));
      const official = [...new Set([...roles.map((r) => r.official), NET_TOOLS_IMAGE])];
      const present = await Promise.all(official.map((i) => imageExists(docker, i)));
      process.stdout.write(
        [
          `local     ${local.tag}  ${built ? 'built' : 'not built (faultline images build)'}`,
          `official  ${official.map((i, k) => `${i}${present[k] ? '' : ' (not pulled)'}`).join(', ')}`,
          `auto      ${built ? 'local' : 'official (pulled on first use)'}`,
        ].join('\n') + '\n',
      );
    });
}
