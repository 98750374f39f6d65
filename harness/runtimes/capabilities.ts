import { CLIENT_FAULT_KINDS, CLOCK_FAULT_KINDS, MEMBERSHIP_FAULT_KINDS, NODE_FAULT_KINDS, PROCESS_FAULT_KINDS, type FaultKind, type RuntimeName } from '../config/vocabulary.js';

/**
 * The faults each runtime declares it can inflict (its `faults`), apart from the runtime itself so that the registry
 * can refuse a nemesis without loading a runtime and its clients.
 * - The simulation: every fault of nodes and of the network between them (its clients are messages like any other).
 * - Docker: no node-to-node latency (the kernels we run on have no netem); client-to-node faults from the TCP fault
 *   proxy instead, declared as kinds of their own, so a nemesis that needs node-to-node latency (the Raft recipes)
 *   is refused rather than silently weaker.
 *   Clock jumps through libfaketime, preloaded in a node's containers when the nemesis has clock faults (a drift,
 *   `rate`, is refused: UNHONOURED_FAULT_PARAMS).
 * - External: the client faults always (the proxy needs no access to the nodes); a node fault only where the test
 *   names a method for it (`faults:`), which `externalFaultKinds` reads from the definition.
 * - Every runtime: pause-client and crash-client, which the harness does to its own processes.
 * - The simulation and Docker: membership changes, asked of a target that declares them (TargetInfo.membership);
 *   not yet on an external cluster (no fault method asks a system to change its membership).
 */
export const RUNTIME_FAULTS: Readonly<Record<RuntimeName, readonly FaultKind[]>> = {
  sim: [...NODE_FAULT_KINDS, ...PROCESS_FAULT_KINDS, ...MEMBERSHIP_FAULT_KINDS],
  docker: [...NODE_FAULT_KINDS.filter((k) => k !== 'latency'), ...CLIENT_FAULT_KINDS, ...PROCESS_FAULT_KINDS, ...CLOCK_FAULT_KINDS, ...MEMBERSHIP_FAULT_KINDS],
  external: [...CLIENT_FAULT_KINDS, ...PROCESS_FAULT_KINDS],
};
