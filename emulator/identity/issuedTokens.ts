/**
 * The ids (`uti` / `jti`) of the tokens one emulator instance issued, with their
 * expiry. The signing key is shared by every instance in the process (and cached
 * across processes), so this registry is what stops one emulator from accepting
 * another one's tokens. Expired ids are pruned as the registry grows, so a
 * long-running standalone emulator does not accumulate them forever.
 */
const PRUNE_THRESHOLD = 10_000;

export class IssuedTokens {
  private readonly expiries = new Map<string, number>();

  /** `exp` in epoch seconds. */
  add(id: string, exp: number): void {
    if (this.expiries.size >= PRUNE_THRESHOLD) this.prune();
    this.expiries.set(id, exp);
  }

  has(id: string): boolean {
    return this.expiries.has(id);
  }

  private prune(): void {
    // Keep recently expired ids a while: an expired token must still be told apart
    // (ExpiredAuthenticationToken) from a foreign one (InvalidAuthenticationToken).
    const horizon = Date.now() / 1000 - 24 * 3600;
    for (const [id, exp] of this.expiries) if (exp < horizon) this.expiries.delete(id);
  }
}
