/**
 * How fast discovery may send DNS queries: a token bucket. A run may send a burst of {@link QUERY_BURST} queries
 * at once (what a typical run needs: about 54 queries for 28 ALB IPs, 236 for 100, twice that with A and AAAA),
 * then at most {@link QUERY_RATE_PER_SECOND} a second. The A and AAAA discoveries of a run draw from one bucket
 * (the handler makes one per run).
 *
 * Why these numbers. The queries go to the ALB zone's authoritative name servers (Route 53), which publish no
 * per-client limit for authoritative queries; the one per-source DNS limit AWS documents is 1024 packets per
 * second per network interface towards the VPC resolver. The long-run rate stays at a quarter of that, a rate
 * any single resolver may send, and a run's total is capped anyway (MAX_LOOKUP_PER_INVOCATION per family). The
 * burst is what keeps a normal run from waiting on the rate at all: 500 queries cover the median run of a
 * 200-IP ALB, or of a 100-IP dualstack ALB in both families. Pure: the caller passes the time.
 */

/** Queries a run may send at once (the bucket's size). */
export const QUERY_BURST = 500;
/** Queries per second after the burst (the bucket's refill rate). */
export const QUERY_RATE_PER_SECOND = 250;

/** A token bucket of queries. */
export interface TokenBucket {
  readonly burst: number;
  readonly ratePerSecond: number;
  /** Milliseconds from `now` until a query may be sent (0: one may be sent now). */
  delayMs(now: number): number;
  /** Takes one token at `now`; false (and nothing taken) when none is left. */
  take(now: number): boolean;
}

/** Options of {@link createTokenBucket}. */
export interface TokenBucketOptions {
  /** The bucket's size: queries that may be sent at once. Default {@link QUERY_BURST}. */
  burst?: number;
  /** Refill rate, queries per second. Default {@link QUERY_RATE_PER_SECOND}. */
  ratePerSecond?: number;
}

/**
 * A full bucket at `start` (epoch or monotonic milliseconds; every later call must use the same clock). A clock
 * that goes back adds no tokens. In any window of `w` ms at most `burst + ratePerSecond · w / 1000` queries are
 * taken.
 *
 * @example
 * const bucket = createTokenBucket(Date.now(), { burst: 2, ratePerSecond: 10 });
 * bucket.take(0); bucket.take(0); // true, true
 * bucket.take(0); // false
 * bucket.delayMs(0); // 100: the next token in 1/10 s
 */
export function createTokenBucket(start: number, options: TokenBucketOptions = {}): TokenBucket {
  const burst = options.burst ?? QUERY_BURST;
  const ratePerSecond = options.ratePerSecond ?? QUERY_RATE_PER_SECOND;
  if (!(Number.isInteger(burst) && burst >= 1)) {
    throw new RangeError(`token bucket burst ${burst} must be an integer >= 1`);
  }
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new RangeError(`token bucket ratePerSecond ${ratePerSecond} must be a positive number`);
  }
  if (!Number.isFinite(start))
    throw new RangeError(`token bucket start ${start} must be a finite time in ms`);
  // In thousandths of a token, so that whole milliseconds at a whole rate add up exactly.
  const capacity = burst * 1000;
  let credit = capacity;
  let last = start;
  const refill = (now: number) => {
    if (now > last) {
      credit = Math.min(capacity, credit + (now - last) * ratePerSecond);
      last = now;
    }
  };
  return {
    burst,
    ratePerSecond,
    delayMs(now) {
      refill(now);
      return credit >= 1000 ? 0 : Math.ceil((1000 - credit) / ratePerSecond);
    },
    take(now) {
      refill(now);
      if (credit < 1000) return false;
      credit -= 1000;
      return true;
    },
  };
}
