/**
 * The function timeout against what a run needs to make a change and record it (lambda/timing.ts): rejected at
 * synth for literal props and at plan time in the module (modules/function.ts), with the minimum named, from the
 * function's own arithmetic.
 */
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { CONFIG_RANGES } from "../../lambda/config/index.js";
import { minimumFunctionTimeoutSeconds } from "../../lambda/timing.js";
import { AlbStaticIp, propProblems } from "../../modules/alb-static-ip.js";
import { renderModule } from "../../modules/build/module.js";
import { minimumTimeoutTerms, requiredMsOf } from "../../modules/function.js";
import { BASE, type Json } from "./synth.js";

describe("the minimum function timeout the infrastructure checks", () => {
  it("is the function's own for every AWS_MAX_ATTEMPTS and AWS_REQUEST_TIMEOUT_MS in range", () => {
    // Prepare
    const terms = minimumTimeoutTerms();
    const a = CONFIG_RANGES.AWS_MAX_ATTEMPTS;
    const t = CONFIG_RANGES.AWS_REQUEST_TIMEOUT_MS;
    const wrong: string[] = [];

    // Act
    for (let attempts = a.min; attempts <= a.max; attempts += 1) {
      for (let timeoutMs = t.min; timeoutMs <= t.max; timeoutMs += 1) {
        const expected = minimumFunctionTimeoutSeconds({
          maxAttempts: attempts,
          requestTimeoutMs: timeoutMs,
        });
        if (Math.ceil(requiredMsOf(terms, attempts, timeoutMs) / 1000) !== expected)
          wrong.push(`${attempts} × ${timeoutMs} ms`);
      }
    }

    // Assess
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(Math.ceil(requiredMsOf(terms, 3, 5000) / 1000)).toBe(41);
  });
});

describe("a literal function timeout at synth time", () => {
  it.each([
    [{ timeout: 40 }, 41],
    [{ timeout: 22, awsRequestTimeoutMs: 2000 }, 23],
    [{ awsRequestTimeoutMs: 10_000 }, 71],
    [{ timeout: 900, awsMaxAttempts: 10, awsRequestTimeoutMs: 60_000 }, 1239],
  ])("is rejected when shorter than a run needs: %j needs %i s", (props, minimum) => {
    // Act
    const problems = propProblems({ ...BASE, ...props }).join("\n");

    // Assess
    expect(problems).toContain(`a run needs at least ${minimum} s to make a change and record it`);
    expect(problems).toMatch(/raise timeout, or lower awsRequestTimeoutMs or awsMaxAttempts/);
  });

  it.each([[{}], [{ timeout: 41 }], [{ timeout: 23, awsRequestTimeoutMs: 2000 }]])(
    "is accepted when it holds what a run needs: %j",
    (props) => {
      // Act / Assess
      expect(propProblems({ ...BASE, ...props }).join("\n")).not.toContain("a run needs at least");
    },
  );
});

describe("a function timeout Terraform decides", () => {
  it("is checked at plan time in the module, against a named local built from the two settings", () => {
    // Act
    const main = renderModule().files["main.tf"] ?? "";

    // Assess
    expect(main).toMatch(
      /minimum_function_timeout = ceil\(\(\s*\(\(\(2 \* \(var\.aws_max_attempts \* var\.aws_request_timeout_ms\)\) \+ \(4000 \* var\.aws_max_attempts\)\) - 1000\) \/ 1000\s*\)\)/,
    );
    expect(main).toContain("condition     = (var.timeout >= local.minimum_function_timeout)");
    expect(main).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform template, not a JavaScript one.
      'error_message = "timeout must be at least ${local.minimum_function_timeout} s to make a change and record it',
    );
  });

  it("folds literal settings into the check of a token timeout (a CDKTF app's own variable)", () => {
    // Prepare
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const timeout = new TerraformVariable(stack, "fn_timeout", { type: "number" });
    new AlbStaticIp(stack, "alb_static_ip", {
      ...BASE,
      timeout: timeout.numberValue,
      awsRequestTimeoutMs: 2000,
    });

    // Act
    const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Json>> };
    const [fn] = Object.values(json.resource.aws_lambda_function ?? {}) as {
      lifecycle: { precondition: Json[] };
    }[];

    // Assess
    const check = fn?.lifecycle.precondition.find((p) => String(p.error_message).startsWith("timeout must"));
    expect(check).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression, not a JavaScript template.
      condition: "${(var.fn_timeout >= 23)}",
      error_message: expect.stringContaining("timeout must be at least 23 s"),
    });
  });
});
