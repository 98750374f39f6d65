import type Dockerode from 'dockerode';
import { usageError } from '../../errors.js';
import { prepareStep, type LocalImage } from './image-recipe.js';
import type { ImageFlavour, ImageRoles } from './image-roles.js';
import { BUILD_HINT, imageExists, pullMissing } from './images.js';

export type ImageChoice = 'auto' | 'local' | 'official';

/**
 * An image with iptables, for official images that lack it: the runtime writes a node's rules from a one-shot
 * container of it that shares the node's network namespace.
 */
export const NET_TOOLS_IMAGE = 'nicolaka/netshoot:v0.13';

/** What the runtime needs of a target to find its images: its name (for errors) and its roles. */
export interface ImageUser {
  readonly name: string;
  readonly images: ImageRoles;
}

/** The images of one run: each of the target's roles resolved in one flavour. */
export interface RunImages {
  readonly flavour: ImageFlavour;
  /** The image each role's containers run from. */
  readonly byRole: Readonly<Record<string, string>>;
  /**
   * The image the runtime writes iptables rules from, for role images without iptables (the official ones).
   * Absent: every role image has iptables (the local image), and the rules are written by `docker exec` in the node.
   */
  readonly netTools?: string;
}

/** Every role from its registry image; the official images carry no iptables, so the net-tools image comes too. */
export function officialImages(target: ImageUser): RunImages {
  const byRole = Object.fromEntries(Object.entries(target.images).map(([role, r]) => [role, r.official]));
  return { flavour: 'official', byRole, netTools: NET_TOOLS_IMAGE };
}

/**
 * Every role from the local image, which holds iptables itself, once it is known to hold what each role needs: a
 * target (a plugin's, say) whose packages or preparation the image was not built with is refused, naming them.
 */
export function localImages(target: ImageUser, local: LocalImage): RunImages {
  const lacking: string[] = [];
  for (const [role, r] of Object.entries(target.images)) {
    const missing = r.packages.filter((p) => !local.packages.includes(p));
    if (missing.length > 0) lacking.push(`the Debian package${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (role '${role}')`);
    if (r.prepare !== undefined && !local.steps.includes(prepareStep(r.prepare))) lacking.push(`the preparation of role '${role}'`);
  }
  if (lacking.length > 0) {
    const officials = Object.values(target.images).map((r) => r.official);
    throw usageError(
      `target '${target.name}' needs ${lacking.join(' and ')}, which the local image ${local.tag} lacks (it is built for faultline's own targets): ` +
        `use --images official to run it from ${[...new Set(officials)].join(', ')}`,
    );
  }
  return { flavour: 'local', byRole: Object.fromEntries(Object.keys(target.images).map((role) => [role, local.tag])) };
}

/** What an official run pulls: exactly its roles' images, and the net-tools image. */
export function imagesToPull(images: RunImages): string[] {
  return [...new Set([...Object.values(images.byRole), ...(images.netTools === undefined ? [] : [images.netTools])])];
}

/**
 * The run's images for the user's choice. `local`: the local image, or a usage error (not built; it lacks what the
 * target needs); `official`: the registry's, pulled when missing; `auto`: the local image when it is built, else the
 * registry's. Docker is reached only when needed, so a target the local image cannot run is refused without it.
 */
export async function resolveImages(docker: () => Promise<Dockerode>, target: ImageUser, choice: ImageChoice, local: LocalImage): Promise<RunImages> {
  if (choice === 'local') {
    const images = localImages(target, local);
    if (!(await imageExists(await docker(), local.tag))) throw usageError(`the local image ${local.tag} is not built: ${BUILD_HINT}`);
    return images;
  }
  if (choice === 'auto' && (await imageExists(await docker(), local.tag))) return localImages(target, local);
  const images = officialImages(target);
  await pullMissing(await docker(), imagesToPull(images));
  return images;
}

/** `ctx.image(role)`: the image of a role the target declares; asking for another is a mistake in the target. */
export function imageOf(target: ImageUser, images: RunImages): (role: string) => string {
  return (role) => {
    const image = Object.hasOwn(images.byRole, role) ? images.byRole[role] : undefined;
    if (image === undefined) throw new Error(`target '${target.name}' asked for image role '${role}', which it does not declare (it declares: ${Object.keys(target.images).join(', ')})`);
    return image;
  };
}

/**
 * The image a helper runs iptables from, for containers that have none (a user's, say), by the user's choice: the
 * local image (built with iptables for every target), or the registry's net-tools image, pulled when missing; `auto`
 * the local image when it is built, else the registry's. No target is involved: only iptables is asked of it.
 */
export async function netToolsImage(docker: () => Promise<Dockerode>, choice: ImageChoice, local: LocalImage): Promise<string> {
  const built = choice !== 'official' && (await imageExists(await docker(), local.tag));
  if (built) return local.tag;
  if (choice === 'local') throw usageError(`the local image ${local.tag} is not built: ${BUILD_HINT}`);
  await pullMissing(await docker(), [NET_TOOLS_IMAGE]);
  return NET_TOOLS_IMAGE;
}
