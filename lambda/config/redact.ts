/**
 * Showing environment values safely in ConfigError messages: secrets redacted, long values cut,
 * invisible characters made visible.
 */

const MAX_SHOWN_CHARS = 80;

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i;
const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/;
const BASE64_40 = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** 40-character ARN resource parts such as `targetgroup/<name>/<id>` are not secrets. */
const ARN_RESOURCE = /^(?:targetgroup|loadbalancer|listener|listener-rule)\//;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * Whether a variable (by its name) or a value looks like a secret: an AWS access key id
 * (`AKIA…`/`ASIA…`), a 40-character base64 token mixing upper case, lower case and digits (an AWS
 * secret access key), or a PEM private key.
 *
 * @example looksSecret("S3_BUCKET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") // true
 */
export function looksSecret(variable: string, value: string): boolean {
  if (SECRET_NAME.test(variable) || ACCESS_KEY_ID.test(value) || value.includes("PRIVATE KEY-----"))
    return true;
  for (const [token] of value.matchAll(BASE64_40)) {
    if (/[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9]/.test(token) && !ARN_RESOURCE.test(token)) {
      return true;
    }
  }
  return false;
}

/** Replaces control, format (bidi, zero-width) and separator characters with a visible `<U+XXXX>`. */
function makeVisible(text: string): string {
  return text.replace(
    INVISIBLE,
    (c) => `<U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}>`,
  );
}

/**
 * The form in which a bad value is shown in a ConfigIssue: `"***"` when it looks secret, cut to
 * about 80 characters (start … end, then the full length) when long, invisible characters made
 * visible as `<U+XXXX>`. `undefined` stays `undefined` (not set).
 *
 * @example describeValue("ALB_LISTENER", "80\n") // "80<U+000A>"
 */
export function describeValue(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (looksSecret(variable, value)) return "***";
  const chars = Array.from(value);
  if (chars.length <= MAX_SHOWN_CHARS) return makeVisible(value);
  // Keep both ends: the start names the kind of value, the end often holds the part that is wrong.
  const head = chars.slice(0, MAX_SHOWN_CHARS - 24).join("");
  const tail = chars.slice(-20).join("");
  return `${makeVisible(head)}…${makeVisible(tail)} (${chars.length} characters)`;
}
