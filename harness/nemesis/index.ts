export { Nemesis } from './nemesis.js';
export { aimNodes, aimPartition, VARIED_TARGETS, variedTarget, type Sight } from './aim.js';
export { bridgeGrudge, completeGrudge, cutsAnything, drops, ringGrudge, type Grudge } from './grudge.js';
export { CRASH_LOOP, EFFECTS, LATENCY, LOSS } from './effects.js';
export { changeMembership, chooseChange, type MembershipChange } from './membership.js';
