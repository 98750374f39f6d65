import type { Socket } from 'node:net';
import type { Rng } from '../rng.js';
import type { LinkFaults } from './protocol.js';

/** Linux's least retransmission time-out (TCP_RTO_MIN): a lost segment is sent again no sooner than this. */
export const RTO_MS = 200;
/** Consecutive losses double the time-out (RFC 6298's back-off), up to this: a stall, not a dead connection. */
export const RTO_MAX_MS = 3_200;
/** A pipe stops reading its source while it holds this much not yet written (what a receive window does). */
const HIGH_WATER = 64 * 1024;
/** A throttled pipe writes a slice of this many milliseconds of its rate at a time. */
const SLICE_MS = 50;

interface Held {
  data: Buffer;
  /** When it may leave (the worker's performance.now()). */
  due: number;
}

/**
 * One direction of a proxied connection: what is read from `src` is written to `dst`, held back as the node's link
 * faults say. Chunks leave in the order they came, whatever each one's hold: a TCP stream is never reordered, so a
 * late chunk holds back everything behind it (head-of-line blocking).
 *
 * Loss: TCP never loses bytes, it stalls. A lost segment is sent again after a retransmission time-out, and the
 * receiver sees nothing of the stream until it arrives; so a chunk "lost" here is held for the time-out (doubling
 * while the chunks after it are lost too, reset by one that gets through), never dropped.
 *
 * A cut with `drop` is a black hole: nothing is read either way, so the senders' own buffers fill as with a peer
 * that stopped acknowledging. What was sent into it is delivered, in order, once it is healed, as TCP's
 * retransmissions deliver it after a partition shorter than their give-up: it is held, not discarded. Discarding it
 * would make a stream with a hole in it, which no network makes, and a client that keeps its connection past a
 * time-out (a pipelining client's queue of replies) would then match replies to the wrong requests: anomalies of
 * the proxy's making, blamed on the system.
 *
 * Backpressure: the source is paused while the destination's buffer is full or too much is held.
 */
export class Pipe {
  private readonly held: Held[] = [];
  private heldBytes = 0;
  private lastDue = 0;
  private rto = RTO_MS;
  /** Throttle: when the line is next free, and the slice of the head that waits for it. */
  private lineFree = 0;
  private slice: { bytes: number; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** The source sent its FIN: once what is held is written, the destination is ended too (a half-close). */
  private srcEnded = false;
  private finished = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly faults: () => LinkFaults,
    private readonly rng: Rng,
  ) {
    src.on('data', (chunk: Buffer) => this.take(chunk));
    src.on('end', () => {
      this.srcEnded = true;
      this.pump();
    });
    dst.on('drain', () => this.pump());
  }

  /** Whether the source's FIN came (a close without it was abrupt). */
  get ended(): boolean {
    return this.srcEnded;
  }

  /** Writes what is due, and arranges to be called again when more is. Called too when the faults change. */
  pump(): void {
    if (this.finished) return;
    const f = this.faults();
    if (f.cut !== undefined) {
      this.src.pause();
      return;
    }
    for (;;) {
      if (this.dst.writableNeedDrain) break;
      const head = this.held[0];
      if (!head) break;
      const now = performance.now();
      if (head.due > now) {
        this.wake(head.due);
        break;
      }
      let bytes = head.data.length;
      if (f.throttle !== undefined) {
        // A slice leaves once the line has carried it at the rate: n bytes take at least n / rate.
        if (!this.slice) {
          const s = Math.min(bytes, Math.max(1, Math.floor((f.throttle * SLICE_MS) / 1000)));
          this.lineFree = Math.max(now, this.lineFree) + (s * 1000) / f.throttle;
          this.slice = { bytes: s, at: this.lineFree };
        }
        if (this.slice.at > now) {
          this.wake(this.slice.at);
          break;
        }
        bytes = this.slice.bytes;
      }
      this.slice = undefined;
      if (bytes === head.data.length) {
        this.held.shift();
        this.dst.write(head.data);
      } else {
        this.dst.write(head.data.subarray(0, bytes));
        head.data = head.data.subarray(bytes);
      }
      this.heldBytes -= bytes;
    }
    if (this.srcEnded && this.held.length === 0) {
      this.finished = true;
      this.dst.end();
      return;
    }
    if (this.heldBytes >= HIGH_WATER || this.dst.writableNeedDrain) this.src.pause();
    else if (!this.srcEnded) this.src.resume();
  }

  /** Stops for good: the connection is gone, and what is held goes with it. */
  dispose(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private take(chunk: Buffer): void {
    const f = this.faults();
    const now = performance.now();
    let due = now;
    if (f.delay) due += this.rng.between(f.delay.min, f.delay.max);
    if (f.loss !== undefined && f.loss > 0) {
      if (this.rng.chance(f.loss)) {
        due += this.rto;
        this.rto = Math.min(this.rto * 2, RTO_MAX_MS);
      } else {
        this.rto = RTO_MS;
      }
    }
    // Never before the chunk read before it: held chunks keep their order.
    due = Math.max(due, this.lastDue);
    this.lastDue = due;
    this.held.push({ data: chunk, due });
    this.heldBytes += chunk.length;
    this.pump();
  }

  private wake(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    // A timer may fire a little early by performance.now(): pump then finds nothing due and sets another.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, Math.ceil(at - performance.now())),
    );
  }
}
