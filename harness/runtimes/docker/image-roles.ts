/**
 * Where a run's containers come from. `official`: a registry's images, for users with a registry; `local`: the one
 * image `faultline images build` makes here (Debian bookworm), for machines without one. The two lay a server out
 * differently (paths, entrypoints, users), so a target writes its commands for the flavour it is given.
 */
export type ImageFlavour = 'local' | 'official';

/**
 * One kind of container a target runs (its servers, a coordinator…), as the target declares it: the image that
 * serves the role in each flavour. The harness knows no server; it only resolves roles to images.
 */
export interface ImageRole {
  /** The registry's image for the role, pulled for `--images official` (e.g. `name:tag`). */
  readonly official: string;
  /** The Debian bookworm packages the local image must hold for the role (none: the local image's base will do). */
  readonly packages: readonly string[];
  /**
   * Shell commands run as root in the local image's tree when it is built, once every package is in: work a
   * container would otherwise do at each start (e.g. initializing a database). Part of the image's recipe.
   */
  readonly prepare?: string;
  /** Why the role's servers cannot run with libfaketime preloaded in a flavour, if they cannot: clock faults are refused there. */
  readonly noFakeClock?: Readonly<Partial<Record<ImageFlavour, string>>>;
}

/** A target's roles, by name: `ctx.image(role)` is the image a role's containers run from in the run's flavour. */
export type ImageRoles<Role extends string = string> = Readonly<Record<Role, ImageRole>>;

/** A Debian package name (Debian Policy 5.6.1): what debootstrap's `--include` takes, one per comma. */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
/** A role name: a word a target's code names its containers by. */
const ROLE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * What is wrong with a declaration of roles from a plugin written in plain JavaScript, or undefined: the runtime
 * resolves images and builds the local image from these, so a malformed one is refused when it is registered.
 */
export function imageRolesProblem(images: unknown): string | undefined {
  if (images === null || typeof images !== 'object' || Array.isArray(images) || Object.keys(images).length === 0) {
    return 'must declare its images (a mapping of role to { official, packages })';
  }
  for (const [role, r] of Object.entries(images as Record<string, unknown>)) {
    if (!ROLE.test(role)) return `image role ${JSON.stringify(role)} is not a name (letters, digits, ., _ and -)`;
    const { official, packages, prepare } = (r ?? {}) as Partial<Record<keyof ImageRole, unknown>>;
    if (typeof official !== 'string' || official.trim() === '' || /\s/.test(official)) {
      return `image role '${role}' must name its official image (a registry reference such as name:tag)`;
    }
    if (!Array.isArray(packages) || !packages.every((p) => typeof p === 'string' && DEBIAN_PACKAGE.test(p))) {
      return `image role '${role}' must list the Debian packages it needs in the local image (names such as iptables; [] for none)`;
    }
    if (prepare !== undefined && typeof prepare !== 'string') return `image role '${role}': prepare must be shell commands (a string)`;
    const { noFakeClock } = (r ?? {}) as { noFakeClock?: unknown };
    if (noFakeClock !== undefined && (noFakeClock === null || typeof noFakeClock !== 'object' || !Object.values(noFakeClock).every((w) => typeof w === 'string'))) {
      return `image role '${role}': noFakeClock must map a flavour (local, official) to why clock faults cannot run there`;
    }
  }
  return undefined;
}
