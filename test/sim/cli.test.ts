import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { SimControl } from "../../sim/client.js";
import { spawnWorld } from "../../sim/process.js";
import type { WorldInfo } from "../../sim/types.js";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Spawn a command; resolve once stdout has a line that parses as JSON (or reject after a bound). */
function firstJsonLine(
  child: ChildProcess,
  timeoutMs = 20_000,
): Promise<{ stdout: () => string; info: WorldInfo }> {
  let stdout = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no JSON line within ${timeoutMs} ms: ${stdout}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const line = stdout.split("\n").find((l) => l.startsWith("{") && stdout.includes(`${l}\n`));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve({ stdout: () => stdout, info: JSON.parse(line) as WorldInfo });
    });
  });
}

function exitOf(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("npm run sim -- --json", () => {
  it("prints exactly one JSON line with the world info, serves, and exits 0 on SIGTERM", async () => {
    // Prepare
    const child = spawn("npm", ["run", "sim", "--", "--json", "--alb-ips", "5"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    // Act
    const { stdout, info } = await firstJsonLine(child);
    const state = await new SimControl(info.control).state();
    child.kill("SIGTERM");
    const code = await exitOf(child);
    // Assess
    const jsonLines = stdout()
      .split("\n")
      .filter((line) => {
        try {
          JSON.parse(line);
          return true;
        } catch {
          return false;
        }
      });
    expect(jsonLines).toHaveLength(1);
    expect(info).toMatchObject({
      dns: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      endpoints: {
        elbv2: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        s3: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        cloudwatch: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      },
      control: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      albDnsName: "internal-demo-alb-1234567890.us-east-1.elb.amazonaws.com",
      targetGroupArn:
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-static-ip-demo/0123456789abcdef",
      bucket: "alb-static-ip-demo-state",
      region: "us-east-1",
      listenerPort: 443,
    });
    expect(state.alb.ips).toHaveLength(5);
    expect(code).toBe(0);
  });

  it("rejects a bad flag with exit code 2 and a message naming it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "sim/main.ts", "--alb-ips", "many"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const code = await exitOf(child, 20_000);
    expect(code).toBe(2);
    expect(stderr).toContain('--alb-ips must be a non-negative integer (got "many")');
  });
});

describe("spawnWorld", () => {
  it("runs the world in a child process that the control client drives", async () => {
    const sim = await spawnWorld(["--alb-ips", "4", "--seed", "9"]);
    try {
      const ips = await sim.control.alb({ count: 6 });
      expect(ips).toHaveLength(6);
    } finally {
      expect(await sim.stop()).toBe(0);
    }
  });
});
