/*
 * A run, reduced to what a kill -9 test needs: it opens the run directory's fault journal and run.log, makes a
 * partition with the exec method, says so on stdout, and waits to be killed. Started by test/docker/exec-hooks.test.ts
 * with `<run-dir> <json of {nodes, hooks, grudge}>`.
 */
import { FaultJournal } from '../../../harness/runtimes/external/journal.js';
import { ExecMethod } from '../../../harness/runtimes/external/exec-hooks.js';
import { RunLog } from '../../../harness/store/run-log.js';

const [runDir, spec] = process.argv.slice(2);
const { nodes, hooks, grudge } = JSON.parse(spec);
const log = new RunLog(runDir);
const { journal } = FaultJournal.open(runDir);
const method = new ExecMethod({ nodes, journal, log: (line) => log.info(line) }, hooks);
await method.partition!(grudge);
process.stdout.write('partitioned\n');
// Runs until killed: what it made stays in force, as it would after a harness killed mid-run.
setInterval(() => undefined, 60_000);
