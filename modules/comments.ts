/**
 * Why a resource, data source, local or precondition is there, carried on the construct tree: the module build
 * (build/module.ts) writes it as a `#` comment above the block, so a reviewer of the generated HCL reads the reason
 * next to the decision, and a regeneration keeps it. The CDKTF JSON carries no comments; a CDKTF app is unaffected.
 */
import type { IConstruct } from "constructs";

const COMMENT = "alb-static-ip:comment";
const PRECONDITION_COMMENT = "alb-static-ip:precondition-comment";

/** Attaches `why` to `element` (a resource, data source or local); returns the element. */
export function explain<T extends IConstruct>(element: T, why: string | undefined): T {
  if (why !== undefined) element.node.addMetadata(COMMENT, why);
  return element;
}

/** The comment attached to `element`, if any. */
export function commentOf(element: IConstruct): string | undefined {
  const entry = element.node.metadata.find((m) => m.type === COMMENT);
  return entry === undefined ? undefined : String(entry.data);
}

/** Attaches `why` to the precondition with `errorMessage` (preconditions are not constructs of their own). */
export function explainPrecondition(scope: IConstruct, errorMessage: string, why: string): void {
  scope.node.addMetadata(PRECONDITION_COMMENT, { errorMessage, why });
}

/** Every precondition comment under `root`, by the precondition's error message. */
export function preconditionComments(root: IConstruct): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const node of root.node.findAll()) {
    for (const m of node.node.metadata) {
      if (m.type !== PRECONDITION_COMMENT) continue;
      const { errorMessage, why } = m.data as { errorMessage: string; why: string };
      out.set(errorMessage, why);
    }
  }
  return out;
}
