import { leaderRegisterDocker } from '../raft-kv/docker.js';
import { paxosKv } from './sim.js';

/**
 * paxos-kv in containers (and on the user's own `faultline node paxos-kv` processes): the simulation's node program
 * as an OS process per container, its promises, accepted and chosen values on the container's filesystem, so a
 * SIGKILLed acceptor restarts with every promise it made. Clients speak raft-kv's protocol, so raft-kv's Docker
 * target serves it whole.
 */
export const paxosKvDocker = leaderRegisterDocker(paxosKv);
