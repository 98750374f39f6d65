import { FAULT_KINDS, type FaultKind, type RuntimeName } from '../config/vocabulary.js';

/**
 * The faults each runtime declares it can inflict (its `faults`), apart from the runtime itself so that the registry
 * can refuse a nemesis without loading a runtime and its clients. Docker has no latency: the kernel has no netem.
 */
export const RUNTIME_FAULTS: Readonly<Record<RuntimeName, readonly FaultKind[]>> = {
  sim: FAULT_KINDS,
  docker: FAULT_KINDS.filter((k) => k !== 'latency'),
};
