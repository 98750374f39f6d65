export { Nemesis, type Aiming } from './nemesis.js';
export { aimNodes, aimPartition, roleNodes, VARIED_TARGETS, variedTarget, type Sight } from './aim.js';
export { bridgeGrudge, completeGrudge, cutsAnything, drops, ringGrudge, type Grudge } from './grudge.js';
export { CRASH_LOOP, EFFECTS, LATENCY, LOSS, PROXIED_EFFECTS } from './effects.js';
export { changeMembership, chooseChange, type MembershipChange } from './membership.js';
