import type { Op } from './op.js';

/**
 * A history as read from somewhere: the ops in order, and where each came from so that errors and evidence can
 * point at a line (`lines[i]` is the source line of `ops[i]`).
 */
export interface History {
  ops: Op[];
  lines?: number[];
  /** A file name, or a description like '<stdin>'. */
  source?: string;
  /** The format it was read in (jsonl, edn, porcupine-etcd, porcupine-kv). */
  format?: string;
}
