import type { Op } from '../../checkers/history/op.js';

/** A triple of a poll or a drain: [partition, offset, value]. */
export type Triple = [number, number | string, number];

/**
 * Hand-built log histories (workloads/log.ts's contract): each method appends an invocation, and its completion at
 * once unless the call is begun with `invoke` and ended later with `complete` (for interleavings). Times are 1 ms
 * apart. Methods return the invocation's index, the op the checker's evidence names.
 */
export class LogHistoryBuilder {
  readonly ops: Op[] = [];

  invoke(process: number, f: string, value: unknown, key?: string): number {
    const op: Op = { index: this.ops.length, time: this.ops.length * 1e6, process, type: 'invoke', f, value };
    if (key !== undefined) op.key = key;
    this.ops.push(op);
    return op.index;
  }

  complete(process: number, type: 'ok' | 'fail' | 'info', f: string, value: unknown, extra: Record<string, unknown> = {}, key?: string): number {
    const op: Op = { index: this.ops.length, time: this.ops.length * 1e6, process, type, f, value, ...extra };
    if (key !== undefined) op.key = key;
    this.ops.push(op);
    return op.index;
  }

  /** A send of `value`: acknowledged at [partition, offset], or failed, or info, or left pending. */
  send(process: number, value: number, outcome: [number, number | string] | 'fail' | 'info' | 'pending', key = `k${value % 16}`): number {
    const i = this.invoke(process, 'send', value, key);
    if (Array.isArray(outcome)) this.complete(process, 'ok', 'send', value, { partition: outcome[0], offset: outcome[1] }, key);
    else if (outcome !== 'pending') this.complete(process, outcome, 'send', value, {}, key);
    return i;
  }

  poll(process: number, triples: Triple[]): number {
    const i = this.invoke(process, 'poll', null);
    this.complete(process, 'ok', 'poll', triples);
    return i;
  }

  drain(process: number, triples: Triple[]): number {
    const i = this.invoke(process, 'drain', null);
    this.complete(process, 'ok', 'drain', triples);
    return i;
  }

  /** The consumer group's final read: what the group had yet to deliver. */
  drainGroup(process: number, triples: Triple[]): number {
    const i = this.invoke(process, 'drain-group', null);
    this.complete(process, 'ok', 'drain-group', triples);
    return i;
  }

  /** A poll that ended info after reading `unacked` (a consumer crashed mid-batch). */
  crashedPoll(process: number, unacked: Triple[]): number {
    const i = this.invoke(process, 'poll', null);
    this.complete(process, 'info', 'poll', null, { error: 'crashed mid-batch', unacked });
    return i;
  }

  assign(process: number, partitions: number[]): number {
    const i = this.invoke(process, 'assign', partitions);
    this.complete(process, 'ok', 'assign', partitions);
    return i;
  }

  subscribe(process: number): number {
    const i = this.invoke(process, 'subscribe', null);
    this.complete(process, 'ok', 'subscribe', null);
    return i;
  }
}
