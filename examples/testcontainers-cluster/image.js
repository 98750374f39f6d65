// Which Redis image the example starts. Yours: REDIS_IMAGE. On a machine without a registry (faultline's own CI),
// the local image `faultline images build` makes, which has Debian's redis-server. Else Redis from Docker Hub.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function redisImage() {
  if (process.env.REDIS_IMAGE) return process.env.REDIS_IMAGE;
  const bin = join(dirname(fileURLToPath(import.meta.resolve('faultline/package.json'))), 'bin', 'faultline.js');
  const status = execFileSync(process.execPath, [bin, 'images', 'status'], { encoding: 'utf8' });
  return /^local\s+(\S+)\s+built$/m.exec(status)?.[1] ?? 'redis:7';
}
