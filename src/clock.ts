/** Time as a port, so tests can move it (token expiry, TOTP steps, retention) without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
