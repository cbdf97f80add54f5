/**
 * The import graph of the function (lambda/), the infrastructure (modules/) and the operator CLI (cli/, when
 * present): no circle, type-only imports counted too, and the layers DESIGN.md names. The imports are read with
 * TypeScript's own scanner (`ts.preProcessFile`: static, type-only, re-exports, side-effect and dynamic imports;
 * not the text of template strings), so a new circle fails here however it is written.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
/** The trees whose imports are checked; cli/ is being built and joins as soon as it exists. */
const TREES = ["lambda", "modules", "cli"].filter((d) => existsSync(join(ROOT, d)));

/** File → the repository files it imports (relative specifiers only), as repository-relative paths. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      // The generated Terraform module holds no TypeScript.
      if (entry !== "node_modules" && path !== join(ROOT, "modules", "terraform"))
        out.push(...sourceFiles(path));
    } else if (/\.(ts|mts)$/.test(entry) && !entry.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

/** `./x.js` from `from` → the repository-relative path of the file it names (`x.ts`, `x/index.ts`, …). */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    base,
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return found === undefined ? undefined : relative(ROOT, found);
}

/** The import graph of every source file under `trees` (imports that leave the trees are kept as edges). */
function importGraph(trees: readonly string[] = TREES): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const tree of trees) {
    for (const file of sourceFiles(join(ROOT, tree))) {
      const imported = ts
        .preProcessFile(readFileSync(file, "utf8"), true, true)
        .importedFiles.map((i) => i.fileName)
        .filter((s) => s.startsWith("."))
        .map((s) => resolveSpecifier(file, s))
        .filter((p): p is string => p !== undefined);
      graph.set(relative(ROOT, file), [...new Set(imported)].sort());
    }
  }
  return graph;
}

/** The circles of `graph`: its strongly connected components of more than one file (or a file importing itself). */
function circles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** One shortest import path from `from` back to itself inside `component`, for the failure message. */
function cycleThrough(graph: ImportGraph, component: readonly string[]): string {
  const inside = new Set(component);
  const start = component[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = previous.get(at))
          path.splice(1, 0, at);
        return [...path, start].join(" -> ");
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(", ");
}

/** Every edge `file -> imported` of `graph` for which `forbidden` holds, as readable lines. */
function edgesWhere(graph: ImportGraph, forbidden: (file: string, imported: string) => boolean): string[] {
  return [...graph].flatMap(([file, imports]) =>
    imports.filter((i) => forbidden(file, i)).map((i) => `${file} -> ${i}`),
  );
}

const under = (path: string, ...dirs: string[]): boolean => dirs.some((d) => path.startsWith(`${d}/`));

describe("the import graph of lambda/, modules/ and cli/", () => {
  const graph = importGraph();

  it("reads the trees it checks", () => {
    // Assess: both trees are there, and imports were found (a scanner that read nothing would pass below).
    expect(TREES).toEqual(expect.arrayContaining(["lambda", "modules"]));
    expect([...graph.keys()].filter((f) => f.startsWith("modules/")).length).toBeGreaterThan(10);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  it("has no import circle, type-only imports included", () => {
    // Act
    const found = circles(graph);

    // Assess
    expect(
      found.map((c) => `${c.length} files: ${cycleThrough(graph, c)}`),
      "an import circle: move the shared part down into a file both can import",
    ).toEqual([]);
  });

  it("keeps lambda/core pure of adapters, discovery and orchestration", () => {
    // Act
    const upward = edgesWhere(
      graph,
      (file, imported) =>
        under(file, "lambda/core") &&
        (under(imported, "lambda/aws", "lambda/discovery") ||
          ["lambda/handler.ts", "lambda/reconcile.ts", "lambda/reconcile-pair.ts"].includes(imported)),
    );

    // Assess
    expect(upward).toEqual([]);
  });

  it("keeps the function's bundle free of the simulator, the CLI, benchmarks, tests and the infrastructure", () => {
    // Act
    const outside = edgesWhere(
      graph,
      (file, imported) =>
        under(file, "lambda") && under(imported, "sim", "cli", "bench", "test", "modules", "scripts"),
    );

    // Assess
    expect(outside).toEqual([]);
  });

  it("keeps the CLI a peer of the handler: it wires the function's parts itself and never imports lambda/handler.ts", () => {
    // Act
    const intoHandler = edgesWhere(
      graph,
      (file, imported) => under(file, "cli") && imported === "lambda/handler.ts",
    );

    // Assess
    expect(intoHandler).toEqual([]);
  });

  it("keeps the props, input specs and expression helpers of modules/ below every resource file and the construct", () => {
    // Prepare: the bottom layer (modules/README.md, "Layers").
    const bottom = (f: string): boolean =>
      [
        "modules/props.ts",
        "modules/prop-checks.ts",
        "modules/expr.ts",
        "modules/comments.ts",
        "modules/policies.ts",
      ].includes(f) || under(f, "modules/inputs");

    // Act
    const upward = edgesWhere(
      graph,
      (file, imported) => bottom(file) && under(imported, "modules") && !bottom(imported),
    );

    // Assess
    expect(upward).toEqual([]);
  });

  it("lets only scripts and tests import the module generator (modules/build/)", () => {
    // Act
    const intoBuild = edgesWhere(
      graph,
      (file, imported) => under(imported, "modules/build") && !under(file, "modules/build"),
    );

    // Assess
    expect(intoBuild).toEqual([]);
  });

  it.each(TREES)("has no file and folder of the same name side by side in %s/", (tree) => {
    // Act
    const clashes = sameNameClashes(tree);

    // Assess
    expect(clashes, "one name for one thing: move the file into the folder (e.g. as index.ts)").toEqual([]);
  });
});

/** Folders under `tree` with a file of the same name beside them (`config/` and `config.ts`). */
function sameNameClashes(tree: string): string[] {
  const clashes: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(join(ROOT, dir));
    for (const entry of entries) {
      const path = join(dir, entry);
      if (entry === "node_modules" || !statSync(join(ROOT, path)).isDirectory()) continue;
      if (entries.some((e) => e.replace(/\.(ts|mts)$/, "") === entry && e !== entry)) clashes.push(path);
      walk(path);
    }
  };
  walk(tree);
  return clashes;
}

describe("the circle finder", () => {
  it("finds a circle of type-only imports, and none in a layered graph", () => {
    // Prepare
    const layered = new Map([
      ["a.ts", ["b.ts", "c.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", []],
    ]);
    const circular = new Map([...layered, ["c.ts", ["a.ts"]]]);

    // Act / Assess
    expect(circles(layered)).toEqual([]);
    expect(circles(circular)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(cycleThrough(circular, ["a.ts", "b.ts", "c.ts"])).toBe("a.ts -> c.ts -> a.ts");
  });

  it("reads type-only imports, re-exports and dynamic imports, and not the text of template strings", () => {
    // Act
    const read = ts
      .preProcessFile(
        'import type { A } from "./a.js";\nexport * from "./b.js";\nconst d = await import("./d.js");\nconst t = `import { e } from "./e.js"`;\n',
        true,
        true,
      )
      .importedFiles.map((i) => i.fileName);

    // Assess
    expect(read).toEqual(["./a.js", "./b.js", "./d.js"]);
  });
});
