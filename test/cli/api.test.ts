import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as checkersInside from '../../checkers/api.js';
import * as harnessInside from '../../harness/api.js';
import { root } from '../support/cli.js';

describe('the package: what a user imports', () => {
  it('exports the harness as `faultline` and the checkers as `faultline/checkers`, with their types', async () => {
    const harness = (await import('faultline' as string)) as typeof harnessInside;
    const checkers = (await import('faultline/checkers' as string)) as typeof checkersInside;
    assert.equal(harness.runTest, harnessInside.runTest, 'the same module, by its package name');
    assert.equal(checkers.checkSync, checkersInside.checkSync);
    for (const name of ['runTest', 'parseDefinition', 'builtinRegistry', 'registryWith', 'Registry']) assert.equal(typeof (harness as Record<string, unknown>)[name], 'function', name);
    const r = checkers.checkSync(
      [
        { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
        { index: 1, time: 1, process: 0, type: 'ok', f: 'write', value: 1 },
        { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
        { index: 3, time: 3, process: 1, type: 'ok', f: 'read', value: 2 },
      ],
      'register',
    );
    assert.equal(r.valid, false);
    for (const d of ['dist/harness/api.d.ts', 'dist/checkers/api.d.ts']) assert.ok(existsSync(join(root, d)), d);
  });

  it('puts every package the workloads and targets use at run time in dependencies', async () => {
    const pkg = (await import(join(root, 'package.json'), { with: { type: 'json' } })).default as { dependencies: Record<string, string> };
    for (const used of ['fast-check', 'zod', 'ioredis', 'postgres', 'dockerode', 'piscina', 'commander', 'yaml']) assert.ok(pkg.dependencies[used], used);
  });
});
