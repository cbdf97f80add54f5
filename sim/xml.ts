/**
 * A tiny XML writer for the awsQuery and S3 responses: escaped text, nested elements, no attributes
 * except the namespace of the root.
 */

/** Escape text for an XML text node or attribute value. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A leaf element with escaped text; omitted entirely when `value` is undefined or null. */
export function leaf(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An element around already-rendered children. */
export function node(name: string, ...children: string[]): string {
  const inner = children.join("");
  return inner === "" ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

/** An awsQuery list: `<Name><member>…</member>…</Name>`. */
export function memberList(name: string, members: readonly string[]): string {
  return node(name, ...members.map((m) => `<member>${m}</member>`));
}

/** A complete document: declaration plus a root element with an `xmlns`. */
export function document(root: string, xmlns: string | undefined, ...children: string[]): string {
  const ns = xmlns === undefined ? "" : ` xmlns="${escapeXml(xmlns)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${children.join("")}</${root}>`;
}
