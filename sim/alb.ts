/**
 * The simulated ALB's private IPs: a seeded, deterministic pool inside the VPC CIDR that scales
 * out by adding fresh IPs and scales in by dropping the newest ones. A dualstack ALB's nodes also
 * have an IPv6 address each, in the VPC's IPv6 block, derived from the node's IPv4 address, so both
 * families scale together.
 */
import { SimInputError } from "./api-error.js";
import { type Cidr, type Cidr6, canonicalIpv6, intToIp, isIpv4, isIpv6, pairedIpv6 } from "./ip.js";
import { type Random, seededRandom } from "./random.js";

/** Most IPs the simulated ALB may have. */
export const MAX_ALB_IPS = 4096;

/** The ALB's current IPs, oldest first. */
export class AlbIps {
  private current: string[] = [];
  private readonly random: Random;

  constructor(
    private readonly cidr: Cidr,
    seed: number,
    /** The VPC's IPv6 block when the ALB is dualstack; undefined for an IPv4-only ALB. */
    private readonly ipv6Cidr?: Cidr6 | undefined,
  ) {
    this.random = seededRandom(seed);
  }

  /** True for a dualstack ALB (its nodes have IPv6 addresses too). */
  get dualstack(): boolean {
    return this.ipv6Cidr !== undefined;
  }

  /** Current IPv4 addresses, oldest first. */
  list(): string[] {
    return [...this.current];
  }

  /** Current IPv6 addresses (canonical text), in the order of their nodes; empty unless dualstack. */
  listIpv6(): string[] {
    const cidr = this.ipv6Cidr;
    return cidr === undefined ? [] : this.current.map((ip) => pairedIpv6(cidr, ip));
  }

  /** True when `ip` (IPv4, or IPv6 in any text form) is one of the current addresses. */
  has(ip: string): boolean {
    if (isIpv6(ip)) return this.listIpv6().includes(canonicalIpv6(ip));
    return this.current.includes(ip);
  }

  /**
   * Replace the IPs; throws SimInputError for non-IPv4 values, duplicates, or too many.
   *
   * @example
   * alb.set(["10.0.1.10", "10.0.2.20"]);
   */
  set(ips: readonly string[]): string[] {
    const bad = ips.filter((ip) => typeof ip !== "string" || !isIpv4(ip));
    if (bad.length > 0) {
      throw new SimInputError(`ALB IPs must be IPv4 dotted quads; not valid: ${JSON.stringify(bad)}`);
    }
    if (new Set(ips).size !== ips.length) {
      throw new SimInputError(`ALB IPs must be distinct; got duplicates in ${JSON.stringify(ips)}`);
    }
    checkCount(ips.length);
    this.current = [...ips];
    return this.list();
  }

  /**
   * Scale to `count` IPs: keep the existing ones and add fresh random IPs from the VPC CIDR, or
   * drop the newest ones.
   */
  scale(count: number): string[] {
    checkCount(count);
    if (count > this.cidr.size - 5) {
      throw new SimInputError(
        `count ${count} does not fit into ${this.cidr.text}; use at most ${this.cidr.size - 5}`,
      );
    }
    if (count <= this.current.length) {
      this.current = this.current.slice(0, count);
      return this.list();
    }
    const used = new Set(this.current);
    while (this.current.length < count) {
      // AWS reserves the first four addresses and the last one of a block.
      const offset = 4 + Math.floor(this.random() * (this.cidr.size - 5));
      const ip = intToIp((this.cidr.base + offset) >>> 0);
      if (used.has(ip)) continue;
      used.add(ip);
      this.current.push(ip);
    }
    return this.list();
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > MAX_ALB_IPS) {
    throw new SimInputError(
      `ALB IP count must be an integer from 0 to ${MAX_ALB_IPS} (got ${JSON.stringify(count)})`,
    );
  }
}
