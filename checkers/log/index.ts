/** The log checker: a Kafka-style partitioned log, judged as Jepsen's Kafka checker judges one (issue 20). */
export { checkLog } from './check.js';
export { explainLog } from './explain.js';
export { presentLog, summarizeLog } from './present.js';
export { compareOffsets, offsetKind, type Offset, type OffsetKind } from './offsets.js';
export type * from './result.js';
