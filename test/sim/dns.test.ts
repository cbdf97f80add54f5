import net from "node:net";
import dnsPacket, { type DecodedPacket, type RecordType } from "dns-packet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";
import { seededRandom } from "../../sim/random.js";
import { udpExchange as udpExchangeTo } from "./support.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";

function ips(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

let nextId = 1;
function query(name: string, type: RecordType = "A"): Buffer {
  nextId = (nextId % 65535) + 1;
  return dnsPacket.encode({
    type: "query",
    id: nextId,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
  });
}

/** Send raw bytes over UDP to the server; resolve with the decoded answer, or `null` after `waitMs` without one. */
function udpExchange(server: DnsServer, message: Buffer, waitMs = 1000): Promise<DecodedPacket | null> {
  return udpExchangeTo(server.host, server.port, message, waitMs);
}

/** Send one length-prefixed message over TCP and read one framed answer. */
function tcpExchange(server: DnsServer, message: Buffer): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, server.host);
    let buffered = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      }
    });
    const frame = Buffer.alloc(2 + message.length);
    frame.writeUInt16BE(message.length, 0);
    message.copy(frame, 2);
    socket.write(frame);
  });
}

function addresses(packet: DecodedPacket | null): string[] {
  return (packet?.answers ?? []).flatMap((a) => (a.type === "A" ? [a.data] : []));
}

function rcode(packet: DecodedPacket | null): string | undefined {
  return (packet as (DecodedPacket & { rcode?: string }) | null)?.rcode;
}

describe("sim DNS server", () => {
  let server: DnsServer;

  beforeEach(async () => {
    server = await startDnsServer({ random: seededRandom(42) });
  });

  afterEach(async () => {
    await server.close();
  });

  it("answers an A query with 8 distinct addresses of the record, TTL 60, AA set and the query id echoed", async () => {
    // Prepare
    const all = ips(20);
    server.setRecord(NAME, all);
    const message = query(NAME);

    // Act
    const reply = await udpExchange(server, message);

    // Assess
    expect(reply?.id).toBe(message.readUInt16BE(0));
    expect(rcode(reply)).toBe("NOERROR");
    expect(reply?.flag_aa).toBe(true);
    const got = addresses(reply);
    expect(got).toHaveLength(8);
    expect(new Set(got).size).toBe(8);
    for (const ip of got) expect(all).toContain(ip);
    for (const answer of reply?.answers ?? []) expect(answer.type === "A" && answer.ttl).toBe(60);
  });

  it.each([1, 3, 8])("answers all %i addresses when the record holds no more than 8", async (n) => {
    // Prepare
    server.setRecord(NAME, ips(n));

    // Act
    const reply = await udpExchange(server, query(NAME));

    // Assess
    expect(addresses(reply).sort()).toEqual(ips(n).sort());
  });

  it("samples every address about equally often (uniform random subsets)", async () => {
    // Prepare
    const all = ips(20);
    server.setRecord(NAME, all);
    const counts = new Map<string, number>(all.map((ip) => [ip, 0]));
    const runs = 500;

    // Act
    for (let i = 0; i < runs; i++) {
      for (const ip of addresses(await udpExchange(server, query(NAME))))
        counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }

    // Assess: each IP is in an answer with probability 8/20 → 200 expected, sd ≈ 11.
    for (const [, count] of counts) {
      expect(count).toBeGreaterThan(150);
      expect(count).toBeLessThan(250);
    }
  });

  it("matches names case-insensitively and ignores a trailing dot", async () => {
    // Prepare
    server.setRecord(`${NAME.toUpperCase()}.`, ["10.0.0.1"]);

    // Act
    const reply = await udpExchange(server, query("Internal-X-1.us-east-1.ELB.amazonaws.com"));

    // Assess
    expect(addresses(reply)).toEqual(["10.0.0.1"]);
  });

  it("answers NXDOMAIN for an unknown name and after deleteRecord", async () => {
    // Prepare
    server.setRecord(NAME, ips(3));
    server.deleteRecord(NAME);

    // Act
    const deleted = await udpExchange(server, query(NAME));
    const unknown = await udpExchange(server, query("nope.example.com"));

    // Assess
    expect(rcode(deleted)).toBe("NXDOMAIN");
    expect(rcode(unknown)).toBe("NXDOMAIN");
  });

  it("answers NOERROR without data for a non-A query of a known name", async () => {
    // Prepare
    server.setRecord(NAME, ips(3));

    // Act
    const reply = await udpExchange(server, query(NAME, "AAAA"));

    // Assess
    expect(rcode(reply)).toBe("NOERROR");
    expect(reply?.answers).toEqual([]);
  });

  it("serves the same records over TCP on the same port and counts both transports", async () => {
    // Prepare
    server.setRecord(NAME, ips(5));

    // Act
    const overTcp = await tcpExchange(server, query(NAME));
    const overUdp = await udpExchange(server, query(NAME));

    // Assess
    expect(addresses(overTcp).sort()).toEqual(ips(5).sort());
    expect(addresses(overUdp).sort()).toEqual(ips(5).sort());
    expect(server.stats()).toEqual({ queries: 2, udp: 1, tcp: 1, faulted: 0 });
  });

  it("rejects non-addresses in setRecord with a message naming the value", () => {
    // Act / Assess
    expect(() => server.setRecord(NAME, ["10.0.0.300"])).toThrow(/"10\.0\.0\.300" is not an IP address/);
  });

  it("answers NS queries for a zone and A queries for its name servers", async () => {
    // Prepare
    server.setNameServers("us-east-1.elb.amazonaws.com", [
      { name: "ns-1.awsdns-01.org", ip: "127.0.0.1" },
      { name: "ns-2.awsdns-02.net.", ip: "127.0.0.2" },
    ]);

    // Act
    const ns = await udpExchange(server, query("us-east-1.elb.amazonaws.com", "NS"));
    const a = await udpExchange(server, query("NS-2.awsdns-02.net", "A"));

    // Assess
    expect((ns?.answers ?? []).map((r) => (r.type === "NS" ? r.data : ""))).toEqual([
      "ns-1.awsdns-01.org",
      "ns-2.awsdns-02.net",
    ]);
    expect(addresses(a)).toEqual(["127.0.0.2"]);
  });

  it("replaces a zone's name servers and their addresses on a second setNameServers", async () => {
    // Prepare
    server.setNameServers("example.org", [{ name: "ns1.example.org", ip: "127.0.0.2" }]);
    server.setNameServers("example.org", [{ name: "ns1.example.org", ip: "127.0.0.3" }]);

    // Act
    const a = await udpExchange(server, query("ns1.example.org"));

    // Assess
    expect(addresses(a)).toEqual(["127.0.0.3"]);
  });

  describe("faults", () => {
    it.each([
      ["servfail", "SERVFAIL"],
      ["nxdomain", "NXDOMAIN"],
      ["refused", "REFUSED"],
    ] as const)("%s answers with rcode %s and no records", async (mode, expected) => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode });

      // Act
      const reply = await udpExchange(server, query(NAME));

      // Assess
      expect(rcode(reply)).toBe(expected);
      expect(addresses(reply)).toEqual([]);
      expect(server.stats().faulted).toBe(1);
    });

    it("empty answers NOERROR without records", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "empty" });

      // Act
      const reply = await udpExchange(server, query(NAME));

      // Assess
      expect(rcode(reply)).toBe("NOERROR");
      expect(addresses(reply)).toEqual([]);
    });

    it("timeout drops the query (no answer) but still counts it", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "timeout" });

      // Act
      const reply = await udpExchange(server, query(NAME), 200);

      // Assess
      expect(reply).toBeNull();
      expect(server.stats()).toMatchObject({ queries: 1, faulted: 1 });
    });

    it("truncate sets TC without records over UDP and answers normally over TCP", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "truncate" });

      // Act
      const overUdp = await udpExchange(server, query(NAME));
      const overTcp = await tcpExchange(server, query(NAME));

      // Assess
      expect(overUdp?.flag_tc).toBe(true);
      expect(addresses(overUdp)).toEqual([]);
      expect(overTcp.flag_tc).toBe(false);
      expect(addresses(overTcp).sort()).toEqual(ips(3).sort());
      expect(server.stats().faulted).toBe(1);
    });

    it("flap alternates between the real set and another set of the same size", async () => {
      // Prepare
      const real = ips(4);
      server.setRecord(NAME, real);
      server.setFault({ mode: "flap" });

      // Act
      const answers: string[][] = [];
      for (let i = 0; i < 4; i++) answers.push(addresses(await udpExchange(server, query(NAME))).sort());

      // Assess
      expect(answers[0]).toEqual([...real].sort());
      expect(answers[2]).toEqual([...real].sort());
      expect(answers[1]).toHaveLength(4);
      expect(answers[1]).toEqual(answers[3]);
      for (const ip of answers[1] ?? []) expect(real).not.toContain(ip);
    });

    it("remaining limits the fault to the next N queries, then answers normally", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "servfail", remaining: 2 });

      // Act
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 4; i++) codes.push(rcode(await udpExchange(server, query(NAME))));

      // Assess
      expect(codes).toEqual(["SERVFAIL", "SERVFAIL", "NOERROR", "NOERROR"]);
    });

    it("probability faults about that share of queries", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "servfail", probability: 0.3 });

      // Act
      let servfails = 0;
      for (let i = 0; i < 300; i++)
        if (rcode(await udpExchange(server, query(NAME))) === "SERVFAIL") servfails++;

      // Assess: 90 expected, sd ≈ 8 (seeded RNG, so this does not flake).
      expect(servfails).toBeGreaterThan(60);
      expect(servfails).toBeLessThan(120);
      expect(server.stats().faulted).toBe(servfails);
    });

    it("setFault(null) clears the fault", async () => {
      // Prepare
      server.setRecord(NAME, ips(3));
      server.setFault({ mode: "servfail" });
      server.setFault(null);

      // Act
      const reply = await udpExchange(server, query(NAME));

      // Assess
      expect(rcode(reply)).toBe("NOERROR");
    });

    it("rejects a probability outside 0..1", () => {
      // Act / Assess
      expect(() => server.setFault({ mode: "servfail", probability: 2 })).toThrow(
        /probability 2 is outside 0\.\.1/,
      );
    });
  });

  it("delays answers by the configured latency", async () => {
    // Prepare
    server.setRecord(NAME, ips(3));
    server.setLatency(150);
    const started = performance.now();

    // Act
    const reply = await udpExchange(server, query(NAME));

    // Assess: a lower bound only (the answer cannot come before the delay).
    expect(addresses(reply)).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("survives malformed packets: FORMERR for a garbage header, nothing for a runt, then answers normally", async () => {
    // Prepare
    server.setRecord(NAME, ips(3));
    const garbage = Buffer.from("abcdefghijklmnopqrstuvwxyz");

    // Act
    const formerr = await udpExchange(server, garbage);
    const runt = await udpExchange(server, Buffer.from([1, 2, 3]), 150);
    const tcpGarbage = net.connect(server.port, server.host);
    await new Promise<void>((resolve) => tcpGarbage.on("connect", () => resolve()));
    tcpGarbage.write(Buffer.from([0xff, 0xff, 1, 2, 3]));
    tcpGarbage.destroy();
    const after = await udpExchange(server, query(NAME));

    // Assess
    expect(formerr?.id).toBe(garbage.readUInt16BE(0));
    expect(rcode(formerr)).toBe("FORMERR");
    expect(runt).toBeNull();
    expect(addresses(after)).toHaveLength(3);
  });

  it("answers FORMERR to a packet that is a response, not a query", async () => {
    // Prepare
    const response = dnsPacket.encode({ type: "response", id: 7, questions: [{ type: "A", name: NAME }] });

    // Act
    const reply = await udpExchange(server, response);

    // Assess
    expect(rcode(reply)).toBe("FORMERR");
  });

  it("resetStats zeroes the counters", async () => {
    // Prepare
    server.setRecord(NAME, ips(3));
    await udpExchange(server, query(NAME));

    // Act
    server.resetStats();

    // Assess
    expect(server.stats()).toEqual({ queries: 0, udp: 0, tcp: 0, faulted: 0 });
  });

  it("binds a requested port for both UDP and TCP and frees it on close", async () => {
    // Prepare
    const port = server.port;
    await server.close();

    // Act
    server = await startDnsServer({ port });
    server.setRecord(NAME, ips(2));
    const reply = await tcpExchange(server, query(NAME));

    // Assess
    expect(server.port).toBe(port);
    expect(addresses(reply)).toHaveLength(2);
  });
});
