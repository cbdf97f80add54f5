/**
 * Construct-level checks for defects of issue 15 that do not need Terraform: the deterministic zip, alarms
 * that follow the schedule, account-wide IAM names, the listener toggle and the ignored target group ARN.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { propProblems } from "../../modules/alb-static-ip.js";
import { zipFiles } from "../../modules/build/zip.js";
import { all, BASE, NLB_ARN, one, synth, TG_ARN } from "./synth.js";

describe("the module's deployment package", () => {
  it("is the same bytes for the same files in any order, and a zip that standard tools read back", () => {
    // Prepare
    const files = [
      { name: "index.mjs", data: Buffer.from("export const handler = async () => 1;\n") },
      { name: "index.mjs.map", data: Buffer.from("{}") },
    ];

    // Act
    const a = zipFiles(files);
    const b = zipFiles([...files].reverse());
    const path = join(mkdtempSync(join(tmpdir(), "zip-")), "lambda.zip");
    writeFileSync(path, a);
    const listed = spawnSync(
      "python3",
      [
        "-c",
        `import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);print(z.testzip(), sorted(z.namelist()), z.read("index.mjs").decode())`,
        path,
      ],
      { encoding: "utf8" },
    );

    // Assess
    expect(a.equals(b)).toBe(true);
    expect(listed.stdout).toContain("None ['index.mjs', 'index.mjs.map'] export const handler");
  });
});

describe("AlbStaticIp alarms", () => {
  it.each([
    ["rate(1 minute)", 60, 3],
    ["rate(5 minutes)", 300, 3],
    ["rate(12 hours)", 43200, 2],
    ["rate(1 day)", 86400, 1],
  ])("with %s use a %i s period over %i periods", (scheduleExpression, period, periods) => {
    // Act
    const alarms = all(synth({ scheduleExpression }), "aws_cloudwatch_metric_alarm");

    // Assess
    expect(alarms.map((a) => [a.period, a.evaluation_periods, a.datapoints_to_alarm])).toEqual([
      [period, periods, periods],
      [period, periods, periods],
    ]);
  });

  it("rejects a cron schedule, whose interval the alarms cannot know", () => {
    // Act / Assess
    expect(propProblems({ ...BASE, scheduleExpression: "cron(0/5 * * * ? *)" }).join()).toMatch(
      /scheduleExpression/,
    );
  });
});

describe("AlbStaticIp names and toggles", () => {
  it("gives the role a name prefix, since IAM names are account-wide", () => {
    // Act
    const role = one(synth(), "aws_iam_role");

    // Assess
    expect(role.name).toBeUndefined();
    expect(role.name_prefix).toBe("alb-static-ip-");
  });

  it("creates the listener when an NLB is given, like the module's create_listener = null", () => {
    // Act / Assess
    expect(all(synth({ nlbArn: NLB_ARN }), "aws_lb_listener")).toHaveLength(1);
    expect(all(synth(), "aws_lb_listener")).toHaveLength(0);
  });

  it("rejects targetGroupArn while the target group is created (it would be ignored)", () => {
    // Act
    const problems = propProblems({ ...BASE, targetGroupArn: TG_ARN });

    // Assess
    expect(problems.join()).toMatch(/would be ignored/);
  });
});
