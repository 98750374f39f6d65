/**
 * A target's named bugs as a table: each bug is the correct behaviour with some switches flipped, so the names
 * `--bug` accepts and what each one changes are written once.
 */
export type BugTable<B> = Readonly<Record<string, Partial<B>>>;

/** The behaviour of a run: the correct one, with the bug's switches when there is a bug. */
export function behaviourWith<B extends object>(correct: B, bugs: BugTable<B>, bug: string | undefined): B {
  if (bug === undefined) return correct;
  if (!Object.hasOwn(bugs, bug)) throw new Error(`no bug '${bug}' (known: ${Object.keys(bugs).join(', ')})`);
  return { ...correct, ...bugs[bug] };
}
