/**
 * Once per test run: find the Node.js that runs the bundled handler (the Lambda runtime's major when it can be
 * had, `sim/runtime-node.ts`), hand it to the test workers and say which it is in one line.
 */
import { describeRuntimeNode, findRuntimeNode, RUNTIME_NODE_ENV } from "../sim/runtime-node.js";

export default function setup(): void {
  const node = findRuntimeNode();
  if (node.found) process.env[RUNTIME_NODE_ENV] = node.execPath;
  else delete process.env[RUNTIME_NODE_ENV];
  console.log(`end-to-end tests: ${describeRuntimeNode(node)}`);
}
