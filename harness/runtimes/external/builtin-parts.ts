import { FaultJournal } from './journal.js';
import type { ExternalParts } from './parts.js';

/**
 * faultline's own parts of the external runtime. Each is loaded when a test uses it: a run whose faults are all
 * exec hooks loads neither the SSH library nor dockerode.
 */
export const BUILTIN_PARTS: ExternalParts = {
  startProxy: async (seed) => (await import('../../proxy/fault-proxy.js')).FaultProxy.start({ seed }),
  openJournal(runDir, log) {
    const { journal, torn } = FaultJournal.open(runDir);
    if (torn !== undefined) log(`the fault journal's last line was torn and is dropped: ${torn}`);
    return journal;
  },
  methods: {
    exec: async (ctx, hooks) => new (await import('./exec-hooks.js')).ExecMethod(ctx, hooks),
    ssh: async (ctx, settings) => (await import('./ssh/method.js')).SshMethod.open(ctx, settings),
    docker: async (ctx, o) => (await import('./container/container-method.js')).ContainerMethod.create(ctx, o),
  },
};
