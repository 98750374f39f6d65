import { parentPort, workerData } from 'node:worker_threads';
import { ProxyCore } from './core.js';
import type { Request, WorkerData } from './protocol.js';

/*
 * The fault proxy's thread: every byte the clients exchange with the nodes is relayed here, so the clients' event
 * loop (the run loop, the recorder) and the proxy's do not wait on each other, and the two cores are both used.
 */
if (!parentPort) throw new Error('the fault proxy runs in a worker thread');
const port = parentPort;
const core = new ProxyCore((workerData as WorkerData).seed);
port.on('message', (req: Request) => {
  void core.handle(req).then((reply) => port.postMessage(reply));
});
