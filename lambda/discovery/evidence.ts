/**
 * What a run's DNS answers prove, and when to stop asking. Pure and synchronous: discovery feeds
 * every answer in and asks for the verdict; nothing here does I/O.
 *
 * DNS answers are hints, not a census. A caching resolver repeats one answer, a stale server
 * serves an old list, a partial server answers short, and answers may be balanced over AZs of
 * unequal size. So the rules below never assume uniform answers:
 *
 * - **Stop rule (answers of the full size, 8).** Each seen IP's chance to appear in an answer is
 *   estimated from its frequency. The rarest seen IP, with count c among q full answers, is
 *   given the optimistic end of a confidence band corrected for being the smallest of k counts,
 *   p_rare = (c + z·√c)/q with z = √(2·ln(k+1)); the estimate used is
 *   p̂ = min(p_rare, m̄/(k+1)), m̄ the mean answer size (so uniform answers cost about what they
 *   always did). With that, P(some IP of the set was never seen) ≤ (k+1)·(1 − p̂)^q, and the
 *   observation is complete once that is below `missProbability`. The assumption, stated in
 *   docs/guarantees.md: an IP that was never seen appears at least as often as the rarest IP that was
 *   (true when answers are uniform, and when they are balanced over AZs each of which has an IP
 *   seen). Cf. Good–Turing coverage: the rule waits until even the rarest IP has been seen about
 *   ln((k+1)/missProbability) times.
 * - **Short answers (< 8).** A short answer is the whole set only if it holds every IP seen so
 *   far and a second short answer with the same set agrees, from another server when the run has
 *   more than one — also when the others fail: a failing server next to a lying one must not let
 *   the liar decide alone.
 * - **Contradictions make the observation incomplete:** a short answer that lacks an IP seen in
 *   the same run.
 * - **Caches make it incomplete:** an answer without the AA flag came from a resolver's cache,
 *   not from the zone; and answers that repeat one set far more often than sampling explains.
 *
 * An incomplete observation still registers what it saw; it never counts a miss.
 */

/** One successful answer. */
export interface AnswerRecord {
  /** Index of the server that answered. */
  server: number;
  ips: readonly string[];
  /** The AA flag. */
  authoritative: boolean;
}

/** Why the answers of a run do not prove the whole set. Stable codes; they appear in the log line. */
export type EvidenceCode =
  /** A short answer lacked an IP that another answer of the same run had. */
  | "dns_answers_contradict"
  /** An answer came without the AA flag: a caching resolver is in DNS_SERVERS. */
  | "dns_answer_not_authoritative"
  /** One answer set repeated far more often than random sampling explains: a cache in the path. */
  | "dns_answers_repeated";

/** A finding about the answers, with a message for the operator. */
export interface EvidenceNote {
  code: EvidenceCode;
  message: string;
}

/** The verdict after the answers so far. */
export interface EvidenceVerdict {
  /** No further query can change the verdict enough to be worth sending. */
  done: boolean;
  /** The answers prove the whole set (within `missProbability`). */
  complete: boolean;
  /** Bound on P(some IP of the set was never seen), from the full-size answers; 1 when unknown. */
  missBound: number;
  notes: EvidenceNote[];
}

/** Accumulates the answers of one run. */
export interface Evidence {
  add(answer: AnswerRecord): void;
  verdict(): EvidenceVerdict;
  /** How many more full-size answers without a new IP would end the run; Infinity when unknown. */
  answersNeeded(): number;
  /** Every IP seen so far. */
  readonly seen: ReadonlySet<string>;
}

/** Options of {@link createEvidence}. */
export interface EvidenceOptions {
  /** Bound on P(missing any IP of the set) for a complete observation, in (0, 1). */
  missProbability: number;
  /** Most addresses in one answer (Route 53: 8). */
  answerLimit: number;
  /** How many servers the run may ask: a short answer needs a second server's agreement when there is one. */
  servers: number;
  /** Chance threshold below which repeated answers are called a cache. Default 1e-9. */
  repeatAlpha?: number;
}

/**
 * The stop-rule bound: P(some IP of the set was never seen) ≤ (k+1)·(1 − p̂)^q for counts of the
 * k seen IPs over q full-size answers (see the module comment). 1 when nothing is known.
 *
 * @example
 * wholeSetMissBound(Array(28).fill(16), 56); // ≈ 4e-7: 28 IPs each seen 16 times in 56 answers
 */
export function wholeSetMissBound(counts: readonly number[], q: number): number {
  const k = counts.length;
  if (k === 0 || q === 0) return 1;
  let rarest = Number.POSITIVE_INFINITY;
  let total = 0;
  for (const c of counts) {
    rarest = Math.min(rarest, c);
    total += c;
  }
  const z = Math.sqrt(2 * Math.log(k + 1));
  const pRare = (rarest + z * Math.sqrt(rarest)) / q;
  const pMean = total / q / (k + 1);
  const p = Math.min(pRare, pMean);
  if (!(p > 0 && p < 1)) return 1;
  return Math.min(1, (k + 1) * (1 - p) ** q);
}

/** ln C(n, r). */
function lnChoose(n: number, r: number): number {
  if (r < 0 || r > n) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 1; i <= r; i++) sum += Math.log((n - r + i) / i);
  return sum;
}

/**
 * Upper bound on the chance that uniform sampling of `size`-subsets from `k` IPs gives some set
 * `r` or more times in `q` answers: C(q, r) · C(k, size)^−(r−1). 1 when it says nothing.
 *
 * @example
 * repeatChance(20, 8, 30, 30); // ≈ 1e-151: one 8-set thirty times out of 20 IPs is a cache
 */
export function repeatChance(k: number, size: number, q: number, r: number): number {
  if (r < 2 || k <= size) return 1;
  const ln = lnChoose(q, r) - (r - 1) * lnChoose(k, size);
  return Math.min(1, Math.exp(ln));
}

/**
 * A fresh accumulator for one run.
 *
 * @example
 * const evidence = createEvidence({ missProbability: 1e-6, answerLimit: 8, servers: 2 });
 * evidence.add({ server: 0, ips: ["10.0.0.1"], authoritative: true });
 * evidence.verdict(); // { done: false, complete: false, ... } — one short answer is not enough
 */
export function createEvidence(options: EvidenceOptions): Evidence {
  const { missProbability, answerLimit } = options;
  const repeatAlpha = options.repeatAlpha ?? 1e-9;
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  let fullAnswers = 0;
  /** Short answers by their sorted set: the servers that gave it. */
  const shortSets = new Map<string, { ips: readonly string[]; servers: Set<number>; answers: number }>();
  /** Full answers by their sorted set: how often. */
  const fullSets = new Map<string, number>();
  let mostRepeated = 0;
  let notAuthoritative = 0;
  let answersSinceNew = 0;

  const key = (ips: readonly string[]) => [...ips].sort().join(",");

  return {
    seen,
    add(answer) {
      if (!answer.authoritative) notAuthoritative += 1;
      const before = seen.size;
      for (const ip of answer.ips) seen.add(ip);
      answersSinceNew = seen.size > before ? 0 : answersSinceNew + 1;
      const setKey = key(answer.ips);
      if (answer.ips.length < answerLimit) {
        const entry = shortSets.get(setKey) ?? {
          ips: [...answer.ips],
          servers: new Set<number>(),
          answers: 0,
        };
        entry.servers.add(answer.server);
        entry.answers += 1;
        shortSets.set(setKey, entry);
        return;
      }
      fullAnswers += 1;
      for (const ip of answer.ips) counts.set(ip, (counts.get(ip) ?? 0) + 1);
      const times = (fullSets.get(setKey) ?? 0) + 1;
      fullSets.set(setKey, times);
      mostRepeated = Math.max(mostRepeated, times);
    },
    verdict() {
      const notes: EvidenceNote[] = [];
      const contradicted = [...shortSets.values()].filter((s) => s.ips.length < seen.size);
      if (contradicted.length > 0) {
        notes.push({
          code: "dns_answers_contradict",
          message: `${contradicted.length} short answer(s) (${contradicted[0]!.ips.length} IP(s)) lack IPs that other answers of this run hold (${seen.size} seen): a stale or partial name server, or the ALB changed mid-run`,
        });
      }
      if (notAuthoritative > 0) {
        notes.push({
          code: "dns_answer_not_authoritative",
          message: `${notAuthoritative} answer(s) came without the authoritative (AA) flag, i.e. from a resolver's cache: a caching resolver in DNS_SERVERS repeats one answer for its TTL; point DNS_SERVERS at the ALB zone's authoritative name servers or leave it unset`,
        });
      }
      const repeated = repeatChance(seen.size, answerLimit, fullAnswers, mostRepeated);
      if (repeated < repeatAlpha) {
        notes.push({
          code: "dns_answers_repeated",
          message: `one answer set came ${mostRepeated} times in ${fullAnswers} answers of ${seen.size} IPs (chance under random sampling < ${repeated.toExponential(1)}): likely a caching resolver in DNS_SERVERS`,
        });
      }
      const missBound = wholeSetMissBound([...counts.values()], fullAnswers);
      // With several servers, another one must agree; with one, a second answer of it.
      const wholeShort = [...shortSets.values()].some(
        (s) => s.ips.length === seen.size && (options.servers >= 2 ? s.servers.size >= 2 : s.answers >= 2),
      );
      const proven = missBound < missProbability || wholeShort;
      // Answers that cannot prove the set any more are still worth asking while they show new IPs (to register).
      const exhausted = notes.length > 0 && answersSinceNew >= Math.max(2 * answerLimit, seen.size);
      return { done: proven || exhausted, complete: proven && notes.length === 0, missBound, notes };
    },
    answersNeeded() {
      const k = counts.size;
      // Only short answers so far: one more (agreeing) answer may settle it.
      if (fullAnswers === 0) return shortSets.size > 0 ? 1 : Number.POSITIVE_INFINITY;
      const bound = wholeSetMissBound([...counts.values()], fullAnswers);
      if (bound < missProbability) return 0;
      // Keep p̂ as it is now: (k+1)(1 − p̂)^(q+n) < target.
      const ratio = (bound / (k + 1)) ** (1 / fullAnswers);
      if (!(ratio > 0 && ratio < 1)) return Number.POSITIVE_INFINITY;
      const total = Math.ceil(Math.log(missProbability / (k + 1)) / Math.log(ratio));
      return Math.max(1, total - fullAnswers);
    },
  };
}
