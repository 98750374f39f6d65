/**
 * Fixture for the file-storage tests, run as its own OS process and killed with SIGKILL by the test:
 *   storage-child.js <dir> puts <n>   puts k0..k{n-1}, prints "done", then waits to be killed
 *   storage-child.js <dir> churn      puts ever larger self-checking values under 'big', printing each index
 *                                     once its put returned, until killed (bounded: 100000 puts, then exits)
 */
import { FileStorage } from '../../../harness/hosting/file-storage.js';

const [dir, mode, arg] = process.argv.slice(2);
const storage = new FileStorage(dir);
if (mode === 'puts') {
  const n = Number(arg);
  for (let i = 0; i < n; i++) storage.put(`k${i}`, { i, text: `value ${i}` });
  process.stdout.write('done\n');
  setTimeout(() => process.exit(3), 30_000); // the test kills us long before
} else if (mode === 'churn') {
  for (let i = 0; i < 100_000; i++) {
    const data = 'x'.repeat(1000 + (i % 50) * 4000);
    storage.put('big', { i, data, len: data.length });
    process.stdout.write(`${i}\n`);
  }
  process.exit(0);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
