import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../../harness/errors.js';
import type { DefinitionRegistry } from '../../../harness/config/index.js';

/** Fixtures live in the source tree (tsc does not copy them): dist/test/harness/config → the repo root. */
export const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const fixture = (name: string) => join(root, 'test/fixtures/config', name);

/** What the harness will pass in once targets/ and workloads/ exist. */
export const registry: DefinitionRegistry = {
  knownTargets: ['kv-single', 'primary-backup'],
  knownWorkloads: ['register'],
  knownBugs: (t) => (t === 'primary-backup' ? ['async-replication', 'lost-failover'] : t === 'kv-single' ? [] : undefined),
  rolesOf: (t) => (t === 'primary-backup' || t === 'kv-single' ? [] : undefined),
};

/** The error contract: an UsageError (exit 254) whose message is one line and says what the pattern says. */
function checkInputError(e: unknown, pattern: RegExp): true {
  assert.ok(isUserError(e), `expected an UsageError, got ${String(e)}`);
  assert.equal(e.exitCode, 254);
  assert.ok(!/[\r\n]/.test(e.message), `message spans lines: ${JSON.stringify(e.message)}`);
  assert.match(e.message, pattern);
  return true;
}

export function throwsInputError(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => checkInputError(e, pattern));
}

export async function rejectsInputError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => checkInputError(e, pattern));
}
