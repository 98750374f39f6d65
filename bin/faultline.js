#!/usr/bin/env node
// The CLI is compiled TypeScript (npm ci runs `prepare`, which builds dist/).
import('../dist/harness/cli/main.js').catch((e) => {
  process.stderr.write(`faultline: cannot start (${e && e.code === 'ERR_MODULE_NOT_FOUND' ? 'not built: run npm ci or npm run build' : e.message})\n`);
  process.exit(254);
});
