import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id (an ambient const enum, not importable by value here)

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;

/**
 * Each hash takes 19 MiB and tens of milliseconds of a libuv thread. However many requests
 * ask at once, at most `RUNNING` run and `WAITING` wait; past that the request is refused at
 * once (`PasswordHasherBusy`) instead of queueing memory and time without bound, and the
 * libuv pool keeps threads for everything else (review M4).
 */
const RUNNING = 2;
const WAITING = 64;
let running = 0;
let started = 0;
const waiting: (() => void)[] = [];

/** Too many password hashes are waiting already: answer 503, try again shortly. */
export class PasswordHasherBusy extends Error {
  constructor() {
    super('too many sign-ins are being checked at once; try again in a moment');
    this.name = 'PasswordHasherBusy';
  }
}

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= RUNNING) {
    if (waiting.length >= WAITING) throw new PasswordHasherBusy();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  started += 1;
  return limited(() => hash(password, OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  started += 1;
  return limited(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });
}

/** Hashes and verifications asked for so far, for tests of who reaches the hasher. */
export function passwordWorkStarted(): number {
  return started;
}

/**
 * A hash to verify against when the user does not exist, so that a login for an unknown
 * email costs the same time as one for a known email (no user enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash('cronium-dummy-password', OPTIONS);
  return dummyHash;
}
