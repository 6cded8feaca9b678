/**
 * Preload (`NODE_OPTIONS=--require <this file>`) that makes a child process's
 * clock run RELIABILITY_CLOCK_OFFSET_MS ahead (positive) or behind (negative),
 * as on an agent whose time sync is broken. Only JavaScript's Date moves: TLS
 * certificate checks use the system clock, as they would on such an agent.
 */
'use strict';

const offset = Number(process.env.RELIABILITY_CLOCK_OFFSET_MS || 0);
if (Number.isFinite(offset) && offset !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = SkewedDate;
}
