/**
 * What time it is. In AWS, the system clock. A local run may give each workflow
 * execution a virtual clock (a month of cadence in seconds); handlers ask here rather
 * than calling `new Date()`, so the same code runs in both places.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Clock {
  now(): Date;
}

const virtual = new AsyncLocalStorage<Clock>();

export function now(): Date {
  return virtual.getStore()?.now() ?? new Date();
}

/** Runs `fn` (and everything it awaits) on `clock`. */
export function withClock<T>(clock: Clock, fn: () => T): T {
  return virtual.run(clock, fn);
}
