import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The toolchain is Node 20; the SDK warns about its future Node 22 requirement in every process otherwise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    environment: "node",
    // The bundled handler's Node (the runtime's major when it can be had): found once, printed in one line.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two files at a time on the 2-core CI machine: the deploy tests mostly wait on terraform and moto (other
    // processes), so the suite takes about half the wall time of one file at a time.
    maxWorkers: 2,
  },
});
