/**
 * The fault matrix, end to end: the bundled handler in a fresh process against the local AWS world, one fault per
 * cell, at INVOCATIONS_BEFORE_DEREGISTRATION 1 and at the default 3. Each cell starts from a synced target group,
 * removes 2 ALB IPs (the NLB's health check then reports them unhealthy) and runs clean until they are one miss
 * short of the threshold, adds 2 new IPs, so the faulted run has both registrations and deregistrations to get
 * wrong, injects the fault, and asserts what was registered and deregistered (no live IP lost), what was logged,
 * whether the invocation failed, and that clean runs converge.
 *
 * `MATRIX_OUT=<file>` writes the observed outcome of every cell as the markdown table of docs/reliability.md.
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lambda/config/index.js";
import type { ForeignInjection } from "../../sim/dns-foreign.js";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import type { DnsBehaviour, FaultSet } from "../../sim/types.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  activeTargets,
  addAlbIps,
  albIps,
  converge,
  invokeWatched,
  logRecords,
  type Run,
  removeAlbIps,
  type StateObject,
  sameList,
  sleep,
  startContainer,
  stateObject,
} from "./harness.js";

interface CellContext {
  world: World;
  state: StateObject;
  /** The ALB IPs removed before the faulted run (still registered, one miss short of the threshold). */
  removed: readonly string[];
}

interface Expectation {
  /** The invocation fails (the Errors metric and the alarm see it). */
  fails: boolean;
  /** A stable code the logs carry (error code, note or state problem). */
  code: string;
  /** The cause as the logs name it (AWS error code, DNS rcode, ...). */
  cause: RegExp;
  /**
   * What the faulted run registered: the 2 new IPs, nothing, the new IPs plus phantom IPs a lying DNS gave, or
   * no more than the new IPs (a cache shows only some).
   */
  registered: "new" | "none" | "new+phantoms" | "some new";
  /** What the faulted run deregistered: the 2 IPs gone from DNS, or nothing. */
  deregistered: "removed" | "none";
}

interface Cell {
  row: string;
  column: string;
  /** ALB size for this cell (default 6, which one DNS answer holds; above 8 discovery needs many queries). */
  albIpCount?: number;
  fault?: FaultSet;
  /** Forged DNS answers during the faulted run (cleared with the fault). */
  foreign?: ForeignInjection;
  /** Answer models of the world's two DNS servers during the faulted run (see sim/README.md). */
  dns?: DnsBehaviour[];
  /** Before the faulted run: after the removal and the runs that count its misses, before the new IPs appear. */
  arrange?: (ctx: CellContext) => Promise<void>;
  /** Concurrently with the faulted run. */
  during?: (ctx: CellContext) => Promise<void>;
  /** Lost or foreign state: the removed IPs were never seen by an observation since, so they stay unowned. */
  leavesUnowned?: true;
  /**
   * The faulted run's claim on the removed IPs could not be withdrawn (the final write failed too): they stay for
   * the claim TTL (2 min), longer than the clean runs here, and leave after it like any claim of a run that died.
   */
  leavesClaimed?: true;
  /** ALB IPs that are never registered (refused by ALLOWED_TARGET_CIDRS): not expected among the targets. */
  neverTargets?: readonly string[];
  /** Where the outcome depends on INVOCATIONS_BEFORE_DEREGISTRATION: overrides of `expect` per threshold. */
  expectAt?: Readonly<Record<number, Partial<Expectation>>>;
  expect: Expectation;
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

type Api =
  | "elbv2:DescribeTargetHealth"
  | "elbv2:RegisterTargets"
  | "elbv2:DeregisterTargets"
  | "s3:GetObject"
  | "s3:PutObject";

/** Per API: the error code a failed call yields and what the faulted run still gets done. */
const API_ROWS: ReadonlyArray<{ api: Api; label: string; code: string; failed: Omit<Expectation, "cause"> }> =
  [
    {
      api: "elbv2:DescribeTargetHealth",
      label: "DescribeTargetHealth",
      code: "describe_target_health_error",
      failed: { fails: true, code: "", registered: "none", deregistered: "none" },
    },
    {
      api: "elbv2:RegisterTargets",
      label: "RegisterTargets",
      code: "register_targets_error",
      failed: { fails: true, code: "", registered: "none", deregistered: "removed" },
    },
    {
      api: "elbv2:DeregisterTargets",
      label: "DeregisterTargets",
      code: "deregister_targets_error",
      failed: { fails: true, code: "", registered: "new", deregistered: "none" },
    },
    {
      api: "s3:GetObject",
      label: "S3 GetObject",
      code: "state_read_error",
      failed: { fails: true, code: "", registered: "none", deregistered: "none" },
    },
    {
      api: "s3:PutObject",
      label: "S3 PutObject",
      code: "state_write_error",
      failed: { fails: true, code: "", registered: "none", deregistered: "none" },
    },
  ];

function apiColumns(
  api: Api,
): Array<{ column: string; fault: FaultSet[Api]; cause: RegExp; transient?: true }> {
  const s3 = api.startsWith("s3:");
  return [
    {
      column: "throttling, transient (1 call)",
      fault: { error: s3 ? "SlowDown" : "Throttling", remaining: 1 },
      cause: /./,
      transient: true,
    },
    { column: "throttling", fault: { error: s3 ? "SlowDown" : "Throttling" }, cause: /Throttling|SlowDown/ },
    {
      column: "500 / 503",
      fault:
        api === "s3:PutObject"
          ? { error: "ServiceUnavailable", status: 503 }
          : api.startsWith("elbv2:De")
            ? { error: "ServiceUnavailable", status: 503 }
            : { error: s3 ? "InternalError" : "InternalFailure", status: 500 },
      cause: /InternalFailure|InternalError|ServiceUnavailable/,
    },
    { column: "hung connection", fault: { hang: true }, cause: /TimeoutError|requestTimeout/ },
    { column: "AccessDenied", fault: { error: "AccessDenied", status: 403 }, cause: /AccessDenied/ },
  ];
}

const ALL_DONE = { registered: "new", deregistered: "removed" } as const;
const NOTHING = { registered: "none", deregistered: "none" } as const;

const apiCells: Cell[] = API_ROWS.flatMap((row) =>
  apiColumns(row.api).map(
    (c): Cell => ({
      row: row.label,
      column: c.column,
      fault: { [row.api]: c.fault },
      expect: c.transient
        ? { fails: false, code: "", cause: /./, ...ALL_DONE }
        : { ...row.failed, code: row.code, cause: c.cause },
    }),
  ),
);

const DNS_FAILED = {
  fails: true,
  code: "discovery_failed",
  registered: "none",
  deregistered: "none",
} as const;
const dnsColumns: Array<Omit<Cell, "row">> = [
  {
    column: "SERVFAIL",
    fault: { dns: { mode: "servfail" } },
    expect: { ...DNS_FAILED, cause: /\d+ servfail/ },
  },
  {
    column: "NXDOMAIN",
    fault: { dns: { mode: "nxdomain" } },
    expect: { ...DNS_FAILED, cause: /\d+ nxdomain/ },
  },
  { column: "timeout", fault: { dns: { mode: "timeout" } }, expect: { ...DNS_FAILED, cause: /\d+ timeout/ } },
  {
    column: "empty answer",
    fault: { dns: { mode: "empty" } },
    expect: { ...DNS_FAILED, cause: /\d+ empty/ },
  },
  {
    column: "truncated (TCP fallback)",
    fault: { dns: { mode: "truncate" } },
    expect: { fails: false, code: "", cause: /./, ...ALL_DONE },
  },
  {
    // Every other answer comes from a disjoint phantom set (mostly outside the VPC). The observation is the union,
    // so the phantom IPs are registered with the real ones; ELBv2 rejects a batch holding one (a ValidationError
    // naming it: not in the VPC), so the adapter halves the batch, within its bound of calls: the real new IPs (and phantoms inside the VPC) get in, the
    // refused phantoms are named in the error. The dead IPs are still deregistered (deregister runs first); live
    // ones are never touched, and the run fails loudly until the flapping stops.
    column: "flapping answers",
    fault: { dns: { mode: "flap" } },
    expect: {
      fails: true,
      code: "register_targets_error",
      cause: /refused .* \(ValidationError\)/,
      registered: "new+phantoms",
      deregistered: "removed",
    },
  },
];
const dnsCells: Cell[] = dnsColumns.map((c) => ({ ...c, row: "DNS", albIpCount: 14 }));

/** Answers that are not uniform samples from truthful servers: never evidence enough to deregister. */
const HELD = { fails: false, deregistered: "none" } as const;
/** The stale server's old list, chosen when the cell is arranged (the IPs of that moment). */
let staleIps: string[] = [];
const hostileColumns: Array<Omit<Cell, "row">> = [
  {
    column: "caching resolver",
    dns: [
      { model: "caching", ttlSeconds: 60 },
      { model: "caching", ttlSeconds: 60 },
    ],
    expect: {
      ...HELD,
      code: "dns_answer_not_authoritative",
      cause: /not_authoritative/,
      registered: "some new",
    },
  },
  {
    column: "stale first server (5 old IPs)",
    arrange: async ({ world, removed }) => {
      staleIps = [...removed, ...albIps(world).slice(0, 3)];
    },
    dns: [{ model: "stale", ips: [] }, { model: "uniform" }],
    expect: { ...HELD, code: "dns_answers_contradict", cause: /contradict/, registered: "new" },
  },
  {
    column: "random 3-IP short answers",
    dns: [{ model: "uniform" }, { model: "short", size: 3, probability: 0.5 }],
    expect: { ...HELD, code: "dns_answers_contradict", cause: /contradict/, registered: "new" },
  },
  {
    column: "per-server answer sets",
    dns: [{ model: "uniform" }, { model: "fixed", ips: ["10.0.250.21", "10.0.250.22", "10.0.250.23"] }],
    expect: { ...HELD, code: "dns_answers_contradict", cause: /contradict/, registered: "new+phantoms" },
  },
  {
    column: "AZ-balanced (4 + 12)",
    dns: [
      { model: "azBalanced", groups: [4, 12] },
      { model: "azBalanced", groups: [4, 12] },
    ],
    expect: { fails: false, code: "", cause: /./, ...ALL_DONE },
  },
];
const hostileCells: Cell[] = hostileColumns.map((c) => ({
  ...c,
  row: "DNS, hostile answers",
  albIpCount: 14,
}));

/** A valid state object body for `world`, owning `ips`. */
function stateBody(world: World, ips: readonly string[], overrides: Record<string, unknown> = {}): string {
  const at = new Date().toISOString();
  const targets = Object.fromEntries(ips.map((ip) => [ip, { firstSeen: at, lastSeen: at, misses: 0 }]));
  return JSON.stringify({
    version: 1,
    albDnsName: world.info.albDnsName,
    targetGroupArn: world.info.targetGroupArn,
    port: world.info.listenerPort,
    targets,
    ...overrides,
  });
}

// Without usable state only what the observation sees is adopted: the removed IPs (gone from DNS) stay registered
// but unowned (`target_unowned`), never deregistered by this function.
const ADOPTED = { fails: false, registered: "new", deregistered: "none" } as const;
const stateColumns: Array<Omit<Cell, "row">> = [
  {
    column: "missing",
    arrange: ({ state }) => state.remove(),
    leavesUnowned: true,
    expect: { ...ADOPTED, code: "state_adopted", cause: /./ },
  },
  {
    column: "corrupt JSON",
    arrange: async ({ state }) => {
      await state.write('{"version":1,"targets":{');
    },
    leavesUnowned: true,
    expect: { ...ADOPTED, code: "state_corrupt", cause: /not valid JSON/ },
  },
  {
    column: "valid JSON, wrong schema",
    arrange: async ({ state }) => {
      await state.write(JSON.stringify({ version: 1, targets: ["10.0.0.1"], note: "hand-edited" }));
    },
    leavesUnowned: true,
    expect: { ...ADOPTED, code: "state_schema", cause: /schema/ },
  },
  {
    column: "another target group",
    arrange: async ({ world, state }) => {
      const other = world.info.targetGroupArn.replace("0123456789abcdef", "fedcba9876543210");
      await state.write(stateBody(world, albIps(world), { targetGroupArn: other }));
    },
    leavesUnowned: true,
    expect: { ...ADOPTED, code: "state_foreign", cause: /fedcba9876543210/ },
  },
  {
    column: "newer schema (a rollback)",
    arrange: async ({ world, state }) => {
      await state.write(stateBody(world, albIps(world), { version: 2 }));
    },
    leavesUnowned: true,
    // Fail closed: nothing registered or deregistered, the newer object untouched; clean runs after the newer
    // object is removed converge.
    expect: { fails: true, code: "state_newer", cause: /newer than the version 1/, ...NOTHING },
  },
  {
    column: "older schema (original's IP list)",
    arrange: async ({ world, state, removed }) => {
      await state.write(JSON.stringify([...albIps(world), ...removed]));
    },
    // The original's list is migrated: its IPs are owned with misses 0, so the 2 gone from DNS are deregistered
    // at once with threshold 1, and after the usual misses with the default.
    expect: { fails: false, code: "state_migrated", cause: /./, ...ALL_DONE },
    expectAt: { 3: { deregistered: "none" } },
  },
  {
    // A hand edit or a skewed clock: the gone IPs carry a claim dated a year ahead. Beyond the 5 min clock skew it
    // is expired (state_timestamp_future): they leave as they would have, instead of being held for ever.
    column: "a timestamp from the future (a claim a year ahead)",
    arrange: async ({ state, removed }) => {
      const current = await state.read();
      const body = JSON.parse(current?.body ?? "{}") as { targets: Record<string, Record<string, unknown>> };
      const ahead = new Date(Date.now() + 365 * 24 * 3600_000).toISOString();
      for (const ip of removed) if (body.targets[ip]) body.targets[ip]!.deregisteringSince = ahead;
      await state.write(JSON.stringify(body));
    },
    expect: {
      fails: false,
      code: "state_timestamp_future",
      cause: /"state_timestamp_future":\["10\./,
      ...ALL_DONE,
    },
  },
  {
    column: "concurrent writer (412)",
    // Reads are slow, so another writer updates the object between this run's read and its conditional write.
    fault: { "elbv2:DescribeTargetHealth": { latencyMs: 400, remaining: 1 } },
    during: async ({ state }) => {
      await sleep(150);
      // The same records, written anew: a new ETag, so this run's conditional write loses and re-plans.
      const current = await state.read();
      if (current) await state.write(`${current.body}\n`);
    },
    expect: { fails: false, code: "re-planning", cause: /ETag mismatch/, ...ALL_DONE },
  },
];
const stateCells: Cell[] = stateColumns.map((c) => ({ ...c, row: "State" }));

/** Foreign IPs a forger injects: another VPC's range and peered private ranges, all accepted by ELBv2 with SAME_VPC=false. */
const FORGED = ["10.1.0.9", "172.31.7.7", "192.168.40.1"];
const FORGED_ROW = "Forged DNS, ALLOWED_TARGET_CIDRS";
const STALE_ROW = "Stale ALLOWED_TARGET_CIDRS";
/** Per-row container environment (the ALB's IPs are drawn from the VPC 10.0.0.0/16). */
const ROW_ENV: Readonly<Record<string, Record<string, string>>> = {
  [FORGED_ROW]: { ALLOWED_TARGET_CIDRS: "10.0.0.0/16", SAME_VPC: "false" },
  [STALE_ROW]: { ALLOWED_TARGET_CIDRS: "10.0.0.0/16" },
};
const forgedColumns: Array<Omit<Cell, "row">> = [
  {
    // Every answer has 3 of its 8 records forged: the real IPs (the 2 new included) are registered, the foreign
    // ones refused and named. A refusal is no evidence either way: the answers still prove the allowed set, so
    // the 2 gone IPs, which the NLB reports unhealthy, leave at the threshold (a healthy one would be held).
    column: "every answer partly foreign",
    albIpCount: 14,
    foreign: { ips: FORGED, mode: "mix" },
    expect: {
      fails: false,
      code: "target_outside_allowed_cidrs",
      cause: /10\.1\.0\.9|172\.31\.7\.7|192\.168\.40\.1/,
      registered: "new",
      deregistered: "removed",
    },
  },
  {
    column: "only foreign answers",
    foreign: { ips: FORGED, mode: "replace" },
    expect: {
      fails: false,
      code: "target_outside_allowed_cidrs",
      cause: /10\.1\.0\.9|172\.31\.7\.7|192\.168\.40\.1/,
      registered: "none",
      deregistered: "none",
    },
  },
];
const forgedCells: Cell[] = forgedColumns.map((c) => ({ ...c, row: FORGED_ROW }));

/**
 * A stale allow-list: the module computed ALLOWED_TARGET_CIDRS (here the VPC's 10.0.0.0/16) at apply time, then the
 * ALB gained a node in a block the list lacks (a secondary VPC CIDR, 10.1.0.0/16). Every answer holds that refused
 * IP from then on, for good: it must not stop the 2 gone, NLB-unhealthy IPs from leaving at the threshold, and
 * every run says which IP was refused and what to do.
 */
const OUTSIDE_NEW_SUBNET = "10.1.3.50";
const staleCells: Cell[] = [
  {
    row: STALE_ROW,
    column: "the ALB gained a node in a subnet the list lacks",
    albIpCount: 14,
    arrange: async ({ world }) => {
      world.setAlbIps([...world.state().alb.ips, OUTSIDE_NEW_SUBNET]);
    },
    neverTargets: [OUTSIDE_NEW_SUBNET],
    expect: {
      fails: false,
      code: "target_outside_allowed_cidrs",
      cause: /10\.1\.3\.50.*re-apply the module/,
      registered: "new",
      deregistered: "removed",
    },
  },
];

/**
 * DISCOVERY_MODE=eni: the lookup is DescribeNetworkInterfaces, paginated (the world's EC2 pages by scanning 2,100
 * interfaces of the account, so every lookup reads 3 pages). Any failure, also one page failing after the first
 * succeeded, is a failed observation: nothing registered or deregistered, the run fails loudly. A look-alike
 * interface (the ALB's description, made by a user) is never registered and is no evidence of anything.
 */
const ENI_ROW = "ENI lookup (DISCOVERY_MODE=eni)";
const ENI_FAILED = { fails: true, code: "describe_network_interfaces_error", ...NOTHING } as const;
const eniColumns: Array<Omit<Cell, "row">> = [
  {
    column: "throttling, transient (1 call)",
    fault: { "ec2:DescribeNetworkInterfaces": { error: "RequestLimitExceeded", remaining: 1 } },
    expect: { fails: false, code: "", cause: /./, ...ALL_DONE },
  },
  {
    column: "throttling",
    fault: { "ec2:DescribeNetworkInterfaces": { error: "RequestLimitExceeded" } },
    expect: { ...ENI_FAILED, cause: /RequestLimitExceeded/ },
  },
  {
    column: "500",
    fault: { "ec2:DescribeNetworkInterfaces": { error: "InternalError", status: 500 } },
    expect: { ...ENI_FAILED, cause: /InternalError/ },
  },
  {
    column: "hung connection",
    fault: { "ec2:DescribeNetworkInterfaces": { hang: true } },
    expect: { ...ENI_FAILED, cause: /TimeoutError|requestTimeout/ },
  },
  {
    column: "AccessDenied (UnauthorizedOperation)",
    fault: { "ec2:DescribeNetworkInterfaces": { error: "UnauthorizedOperation" } },
    expect: { ...ENI_FAILED, cause: /UnauthorizedOperation/ },
  },
  {
    column: "page 2 of 3 fails",
    fault: { "ec2:DescribeNetworkInterfaces:nextPage": { error: "InternalError", status: 500 } },
    expect: { ...ENI_FAILED, cause: /page 2 .*InternalError/ },
  },
  {
    column: "page 2 of 3 throttled",
    fault: { "ec2:DescribeNetworkInterfaces:nextPage": { error: "RequestLimitExceeded" } },
    expect: { ...ENI_FAILED, cause: /page 2 .*RequestLimitExceeded/ },
  },
  // A user-made interface with the ALB's description takes one of the 2 gone IPs (the attack: keep a dead target
  // registered, now pointing at the attacker's host). It must neither be registered nor reset that IP's misses.
  {
    column: "a look-alike interface on a gone IP (EC2 filters it out)",
    arrange: async ({ world, removed }) => {
      world.addLookalikeInterface(removed[0]);
    },
    // Invisible to the filtered lookup; the container's periodic look without the filters reports it.
    expect: { fails: false, code: "", cause: /./, ...ALL_DONE },
  },
  {
    column: "a look-alike interface on a gone IP, EC2 ignoring the requester filters",
    arrange: async ({ world, removed }) => {
      world.setEc2IgnoredFilters(["requester-managed", "requester-id", "attachment.instance-owner-id"]);
      world.addLookalikeInterface(removed[0]);
    },
    expect: {
      fails: false,
      code: "interface_not_elb_managed",
      cause: /"id":"eni-[0-9a-f]+","ips":\["10\.0\./,
      ...ALL_DONE,
    },
  },
];
const eniCells: Cell[] = eniColumns.map((c) => ({ ...c, row: ENI_ROW }));

/** Only the run's last S3 write fails: the claim was written, DeregisterTargets and RegisterTargets succeeded. */
const finalWriteCells: Cell[] = [
  {
    row: "S3 PutObject",
    column: "only the final write fails (after the ELBv2 writes)",
    fault: { "s3:PutObject": { error: "InternalError", status: 500, skip: 1 } },
    expect: {
      fails: true,
      code: "state_write_error",
      cause: /registered .*deregistered .*InternalError/,
      registered: "new",
      deregistered: "removed",
    },
  },
  {
    // DeregisterTargets fails first: its code stands, the failed write is named after it.
    row: "S3 PutObject",
    leavesClaimed: true,
    column: "final write fails after DeregisterTargets failed",
    fault: {
      "elbv2:DeregisterTargets": { error: "AccessDenied", status: 403 },
      "s3:PutObject": { error: "InternalError", status: 500, skip: 1 },
    },
    expect: {
      fails: true,
      code: "deregister_targets_error",
      cause: /AccessDenied.*failed as well \(state_write_error\).*InternalError/,
      registered: "new",
      deregistered: "none",
    },
  },
];

const CELLS: readonly Cell[] = [
  ...apiCells,
  ...finalWriteCells,
  ...dnsCells,
  ...hostileCells,
  ...stateCells,
  ...forgedCells,
  ...staleCells,
  ...eniCells,
];

/**
 * The row of two target groups (80 and 443) in one function, a fault on the 80 one only: the failing pair comes
 * first, so a run that stopped at its first failing pair would leave the 443 pair undone.
 */
const TWO_GROUPS_ROW = "Two target groups, one failing";
interface TwoGroupCell {
  column: string;
  /** The fault, aimed at the failing group's ARN. */
  fault?: (failingArn: string) => FaultSet;
  arrange?: (ctx: { world: World; failingState: StateObject }) => Promise<void>;
  /** What the failing group's faulted run did. */
  failing: Pick<Expectation, "registered" | "deregistered">;
  code: string;
  cause: RegExp;
  leavesUnowned?: true;
}
const twoGroupCells: readonly TwoGroupCell[] = [
  {
    column: "RegisterTargets AccessDenied on one group",
    fault: (arn) => ({
      "elbv2:RegisterTargets": { error: "AccessDenied", status: 403, targetGroupArn: arn },
    }),
    failing: { registered: "none", deregistered: "removed" },
    code: "register_targets_error",
    cause: /AccessDenied/,
  },
  {
    column: "DescribeTargetHealth throttling on one group",
    fault: (arn) => ({ "elbv2:DescribeTargetHealth": { error: "Throttling", targetGroupArn: arn } }),
    failing: { registered: "none", deregistered: "none" },
    code: "describe_target_health_error",
    cause: /Throttling/,
  },
  {
    column: "newer state schema on one group",
    arrange: async ({ world, failingState }) => {
      await failingState.write(
        JSON.stringify({
          version: 2,
          albDnsName: world.info.albDnsName,
          targetGroupArn: world.info.targetGroups[0]!.arn,
          port: world.info.targetGroups[0]!.port,
          targets: {},
        }),
      );
    },
    failing: { registered: "none", deregistered: "none" },
    code: "state_newer",
    cause: /newer than the version 1/,
    leavesUnowned: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Running a cell
// ---------------------------------------------------------------------------------------------

interface Outcome {
  cell: Cell;
  threshold: number;
  run: Run;
  /** The TargetsRegistered / TargetsDeregistered datapoints the faulted run published (none when it published none). */
  published: { registered: number[]; deregistered: number[] };
  registered: string[];
  deregistered: string[];
  removed: string[];
  added: string[];
  convergeRuns: number;
  converged: boolean;
  liveLost: string[];
}

const outcomes: Outcome[] = [];
let world: World;
let state: StateObject;

beforeAll(async () => {
  world = await startWorld({
    albIpCount: 6,
    dnsServers: 2,
    healthCheckDelayMs: 20,
    deregistrationDelayMs: 50,
    seed: 7,
    // For the ENI row: EC2 pages a filtered lookup by scanning the account's interfaces, 3 pages of 1,000.
    ec2Paging: "scan",
    backgroundInterfaces: 2100,
  });
  state = stateObject(world);
});

afterAll(async () => {
  state.close();
  await world.stop();
  if (process.env.MATRIX_OUT) writeFileSync(process.env.MATRIX_OUT, renderMatrix(outcomes));
});

/** Longer than the world's health-check delay: the NLB has judged the removed IPs by then. */
const HEALTH_SETTLE_MS = 60;

/** The targets clean runs converge to after `cell`: the ALB's IPs, with what it leaves, without what it refuses. */
function expectedTargets(cell: Cell, removed: readonly string[]): string[] {
  const ips = cell.leavesUnowned || cell.leavesClaimed ? [...albIps(world), ...removed] : albIps(world);
  return ips.filter((ip) => !cell.neverTargets?.includes(ip)).sort();
}

async function runCell(fn: FunctionContainer, cell: Cell, threshold: number): Promise<Outcome> {
  world.reset();
  if (cell.albIpCount !== undefined) world.scaleAlb(cell.albIpCount);
  const prepare = async (what: string) => {
    let run = await invokeWatched(world, fn);
    if (!run.ok) run = await invokeWatched(world, fn); // preparation, not the cell: one retry on a loaded machine
    if (!run.ok) throw new Error(`${what} run failed: ${JSON.stringify(run.error)}`);
  };
  await prepare("baseline");
  const { removed } = removeAlbIps(world, 2);
  await sleep(HEALTH_SETTLE_MS);
  for (let miss = 1; miss < threshold; miss += 1) await prepare(`miss ${miss}`);
  await cell.arrange?.({ world, state, removed });
  const { added } = addAlbIps(world, 2);
  world.setFaults(cell.fault ?? {});
  world.injectForeign(cell.foreign ?? null);
  world.setDnsBehaviours(
    (cell.dns ?? []).map((b) => (b.model === "stale" && b.ips.length === 0 ? { ...b, ips: staleIps } : b)),
  );
  const before = activeTargets(world);
  const metricsBefore = world.state().metrics.length;
  const [run] = await Promise.all([invokeWatched(world, fn), cell.during?.({ world, state, removed })]);
  const runMetrics = world.state().metrics.slice(metricsBefore);
  const published = (name: string) =>
    runMetrics
      .filter((m) => m.metricName === name && m.dimensions.length === 2)
      .map((m) => m.value ?? Number.NaN);
  world.setFaults({});
  world.injectForeign(null);
  world.setDnsBehaviours([]);
  const after = activeTargets(world);
  if (cell.expect.code === "state_newer") await state.remove();
  const expected = expectedTargets(cell, removed);
  const recovery = await converge(world, fn, 4, expected);
  return {
    cell,
    threshold,
    run,
    published: { registered: published("TargetsRegistered"), deregistered: published("TargetsDeregistered") },
    registered: after.filter((ip) => !before.includes(ip)),
    deregistered: before.filter((ip) => !after.includes(ip)),
    removed,
    added,
    convergeRuns: recovery.runs,
    converged: recovery.converged,
    liveLost: [...run.liveLost, ...run.liveDeregistered, ...recovery.lost],
  };
}

const rows = [...new Set(CELLS.map((c) => c.row))];
/** INVOCATIONS_BEFORE_DEREGISTRATION: the harshest (every run deregisters) and the default. */
const THRESHOLDS = [1, CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION];

describe.each(THRESHOLDS.flatMap((t) => rows.map((row) => [row, t] as const)))(
  "fault matrix: %s, threshold %i",
  (row, threshold) => {
    let fn: FunctionContainer;
    beforeAll(async () => {
      // One container per row, so the SDK's retry quota of one row's faults does not spill into the next.
      fn = await startContainer(world, {
        AWS_MAX_ATTEMPTS: "2",
        INVOCATIONS_BEFORE_DEREGISTRATION: String(threshold),
        ...ROW_ENV[row],
        ...(row === ENI_ROW ? { DISCOVERY_MODE: "eni", ALB_ARN: world.info.albArn } : {}),
      });
    });
    afterAll(async () => {
      await fn.stop();
    });

    it.each(CELLS.filter((c) => c.row === row).map((c) => [c.column, c] as const))(
      "%s: loses no live IP, says why, and the next clean run converges",
      async (_column, given) => {
        const cell: Cell = { ...given, expect: { ...given.expect, ...given.expectAt?.[threshold] } };
        // Prepare + Act
        const outcome = await runCell(fn, cell, threshold);
        outcomes.push(outcome);
        const { run } = outcome;
        const text = run.logs.join("\n");

        // Assess: nothing live lost, ever; no forged IP registered, ever
        expect(outcome.liveLost).toEqual([]);
        expect(
          outcome.registered.filter((ip) => FORGED.includes(ip) || cell.neverTargets?.includes(ip)),
        ).toEqual([]);
        // Assess: the invocation fails exactly when the cell says so (the alarm sees it)
        expect(run.ok, text).toBe(!cell.expect.fails);
        // Assess: what the faulted run changed
        if (cell.expect.registered === "new+phantoms") {
          expect(outcome.registered).toEqual(expect.arrayContaining(outcome.added));
        } else if (cell.expect.registered === "some new") {
          for (const ip of outcome.registered) expect(outcome.added).toContain(ip);
        } else {
          expect(outcome.registered).toEqual(cell.expect.registered === "new" ? outcome.added : []);
        }
        expect(outcome.deregistered).toEqual(cell.expect.deregistered === "removed" ? outcome.removed : []);
        // Assess: the summary line and the metrics say what was done, also when the run failed
        const records = logRecords(run.logs);
        const line = records.find(
          (l) => l.message === "alb-static-ip run" || l.message === "alb-static-ip run failed",
        );
        const pair = (
          line?.targetGroups as Array<{ registered: string[]; deregistered: string[] }> | undefined
        )?.[0];
        expect([...(pair?.registered ?? [])].sort(), text).toEqual(outcome.registered);
        expect([...(pair?.deregistered ?? [])].sort(), text).toEqual(outcome.deregistered);
        for (const value of outcome.published.registered) expect(value).toBe(outcome.registered.length);
        for (const value of outcome.published.deregistered) expect(value).toBe(outcome.deregistered.length);
        // Assess: the logs name the reason and the cause
        if (cell.expect.fails) {
          const failed = records.filter((l) => l.message === "alb-static-ip run failed");
          expect(failed).toHaveLength(1);
          const error = failed[0]?.error as { code?: string; message?: string } | undefined;
          expect(error?.code).toBe(cell.expect.code);
          expect(error?.message).toMatch(cell.expect.cause);
        } else if (cell.expect.code) {
          const evidence = records
            .map(({ discovery: _discovery, ...rest }) => JSON.stringify(rest))
            .filter((line) => line.includes(cell.expect.code));
          expect(evidence.length, text).toBeGreaterThan(0);
          expect(
            evidence.some((line) => cell.expect.cause.test(line)),
            evidence.join("\n"),
          ).toBe(true);
        }
        // Assess: clean runs converge: targets == ALB IPs
        expect(outcome.converged).toBe(true);
        expect(activeTargets(world)).toEqual(expectedTargets(cell, outcome.removed));
      },
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Two target groups in one function, one failing
// ---------------------------------------------------------------------------------------------

describe.each(THRESHOLDS)(`fault matrix: ${TWO_GROUPS_ROW}, threshold %i`, (threshold) => {
  /** Indices of the failing (port 80) and the healthy (port 443) target group. */
  const F = 0;
  const H = 1;
  let world2: World;
  let fn: FunctionContainer;
  let failingState: StateObject;
  beforeAll(async () => {
    world2 = await startWorld({
      albIpCount: 6,
      dnsServers: 2,
      healthCheckDelayMs: 20,
      deregistrationDelayMs: 50,
      seed: 11,
      targetGroups: [{ port: 80 }, { port: 443 }],
    });
    failingState = stateObject(world2, 0);
    fn = await startContainer(world2, {
      AWS_MAX_ATTEMPTS: "2",
      INVOCATIONS_BEFORE_DEREGISTRATION: String(threshold),
    });
  });
  afterAll(async () => {
    await fn.stop();
    failingState.close();
    await world2.stop();
  });

  it.each(twoGroupCells.map((c) => [c.column, c] as const))(
    "%s: the other group is reconciled, the run fails naming the failing one, no live IP is lost, clean runs converge",
    async (_column, cell) => {
      // Prepare: both groups synced, 2 IPs gone (one miss short), 2 new ones
      world2.reset();
      const prepare = async () => {
        let run = await invokeWatched(world2, fn);
        if (!run.ok) run = await invokeWatched(world2, fn);
        if (!run.ok) throw new Error(`preparation run failed: ${JSON.stringify(run.error)}`);
      };
      await prepare();
      const { removed } = removeAlbIps(world2, 2);
      await sleep(HEALTH_SETTLE_MS);
      for (let miss = 1; miss < threshold; miss += 1) await prepare();
      await cell.arrange?.({ world: world2, failingState });
      const { added } = addAlbIps(world2, 2);
      const [failing, healthy] = world2.info.targetGroups;
      world2.setFaults(cell.fault?.(failing!.arn) ?? {});
      const before = [activeTargets(world2, 0), activeTargets(world2, 1)];

      // Act
      const run = await invokeWatched(world2, fn);
      world2.setFaults({});
      const after = [activeTargets(world2, 0), activeTargets(world2, 1)];
      if (cell.code === "state_newer") await failingState.remove();
      const recoveredNow = () => [
        sameList(
          activeTargets(world2, F),
          cell.leavesUnowned ? [...albIps(world2), ...removed].sort() : albIps(world2),
        ),
        sameList(activeTargets(world2, H), albIps(world2)),
      ];
      const recovery0 = { runs: 0, lost: [] as string[] };
      let recovered = [false, false];
      while (recovery0.runs < 4 && !recovered.every(Boolean)) {
        const clean = await invokeWatched(world2, fn);
        recovery0.runs += 1;
        recovery0.lost.push(...clean.liveLost, ...clean.liveDeregistered);
        recovered = clean.ok ? recoveredNow() : [false, false];
      }
      const did = (i: number) => ({
        registered: after[i]!.filter((ip) => !before[i]!.includes(ip)),
        deregistered: before[i]!.filter((ip) => !after[i]!.includes(ip)),
      });
      outcomes.push({
        cell: {
          row: TWO_GROUPS_ROW,
          column: cell.column,
          expect: { fails: true, code: cell.code, cause: cell.cause, ...cell.failing },
        },
        threshold,
        run,
        published: { registered: [], deregistered: [] },
        registered: [...did(0).registered, ...did(1).registered],
        deregistered: [...did(0).deregistered, ...did(1).deregistered],
        removed: [...removed, ...removed],
        added: [...added, ...added],
        convergeRuns: recovery0.runs,
        converged: recovered.every(Boolean),
        liveLost: [...run.liveLost, ...run.liveDeregistered, ...recovery0.lost],
      });

      // Assess: nothing live lost in either group
      expect([...run.liveLost, ...run.liveDeregistered, ...recovery0.lost]).toEqual([]);
      // Assess: the healthy group got everything done, the failing one only what its fault allows
      expect(did(H)).toEqual({ registered: added, deregistered: removed });
      expect(did(F).registered).toEqual(cell.failing.registered === "new" ? added : []);
      expect(did(F).deregistered).toEqual(cell.failing.deregistered === "removed" ? removed : []);
      // Assess: the run fails loudly, naming the failing pair, its code and its cause
      expect(run.ok).toBe(false);
      const failed = logRecords(run.logs).filter((l) => l.message === "alb-static-ip run failed");
      expect(failed).toHaveLength(1);
      const label = `${failing!.port}=${failing!.arn.slice(failing!.arn.indexOf("targetgroup/"))}`;
      expect(failed[0]?.failedTargetGroups).toEqual([label]);
      const error = failed[0]?.error as { code?: string; message?: string } | undefined;
      expect(error?.code).toBe(cell.code);
      expect(error?.message).toContain(label);
      expect(error?.message).toMatch(cell.cause);
      const pairs = failed[0]?.targetGroups as Array<{ label: string; ok: boolean }>;
      expect(pairs.map((p) => [p.label, p.ok])).toEqual([
        [label, false],
        [`${healthy!.port}=${healthy!.arn.slice(healthy!.arn.indexOf("targetgroup/"))}`, true],
      ]);
      // Assess: clean runs converge both groups
      expect(recovered).toEqual([true, true]);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Every target refused: a configuration error, not a fault of one call
// ---------------------------------------------------------------------------------------------

/**
 * The ALB is in a peered VPC (172.20.0.0/16), the target group's VPC is 10.0.0.0/16 and the function runs with
 * SAME_VPC=true: ELBv2 refuses every registration ("The Availability Zone is required for IP address '…' because
 * it is not in the VPC"). The run must fail after at most 2 RegisterTargets calls (not 2n − 1), naming SAME_VPC;
 * once SAME_VPC=false is deployed (a new container), clean runs converge.
 */
const REFUSED_ROW = "RegisterTargets, every target refused";
describe.each(THRESHOLDS)(`fault matrix: ${REFUSED_ROW}, threshold %i`, (threshold) => {
  const PEERED = Array.from({ length: 40 }, (_, i) => `172.20.${1 + (i % 3)}.${10 + i}`);
  let world3: World;
  beforeAll(async () => {
    world3 = await startWorld({
      albIps: PEERED,
      healthCheckDelayMs: 20,
      deregistrationDelayMs: 50,
      seed: 13,
    });
  });
  afterAll(async () => {
    await world3.stop();
  });

  it("SAME_VPC=true with the ALB in a peered VPC: fails after at most 2 calls naming the cause; SAME_VPC=false converges", async () => {
    // Prepare
    const env = { AWS_MAX_ATTEMPTS: "2", INVOCATIONS_BEFORE_DEREGISTRATION: String(threshold) };
    const wrong = await startContainer(world3, env);
    const calls = () => world3.state().requests["elbv2:RegisterTargets"] ?? 0;

    // Act
    const before = calls();
    const run = await invokeWatched(world3, wrong);
    const spent = calls() - before;
    await wrong.stop();
    const fixed = await startContainer(world3, { ...env, SAME_VPC: "false" });
    const recovery = await converge(world3, fixed, 4);
    await fixed.stop();
    outcomes.push({
      cell: {
        row: REFUSED_ROW,
        column: "SAME_VPC=true, the ALB in a peered VPC (40 IPs)",
        expect: { fails: true, code: "register_targets_refused", cause: /SAME_VPC=false/, ...NOTHING },
      },
      threshold,
      run,
      published: { registered: [], deregistered: [] },
      registered: [],
      deregistered: [],
      removed: [],
      added: [...PEERED],
      convergeRuns: recovery.runs,
      converged: recovery.converged,
      liveLost: [...run.liveLost, ...run.liveDeregistered, ...recovery.lost],
    });

    // Assess
    expect(spent).toBeLessThanOrEqual(2);
    expect(run.ok).toBe(false);
    expect(run.error?.code).toBe("register_targets_refused");
    expect(run.error?.message).toMatch(/SAME_VPC=false/);
    expect(recovery.converged).toBe(true);
    expect(activeTargets(world3)).toEqual([...PEERED].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// The table of docs/reliability.md
// ---------------------------------------------------------------------------------------------

function renderMatrix(list: readonly Outcome[]): string {
  const lines = [
    "| Where | Fault | Threshold | Invocation | Logged | Faulted run did | Recovery | Live IPs lost |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const o of list) {
    const invocation = o.run.ok ? "succeeds" : "**fails**";
    const logged = o.cell.expect.code ? `\`${o.cell.expect.code}\`` : "—";
    const did = `+${o.registered.length} registered, −${o.deregistered.length} deregistered (of +${o.added.length}/−${o.removed.length} due)`;
    const recovery = o.converged
      ? `converged after ${o.convergeRuns} clean run${o.convergeRuns > 1 ? "s" : ""}`
      : "**did not converge**";
    lines.push(
      `| ${o.cell.row} | ${o.cell.column} | ${o.threshold} | ${invocation} | ${logged} | ${did} | ${recovery} | ${o.liveLost.length} |`,
    );
  }
  const lost = list.reduce((n, o) => n + o.liveLost.length, 0);
  lines.push("", `${list.length} cells, ${lost} live IPs lost.`, "");
  return lines.join("\n");
}
