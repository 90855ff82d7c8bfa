/**
 * The platform's stack names and the Cloudflare names derived from them. Pure; imports nothing.
 *
 * A stack name is a Pulumi stack name (letters, digits, `-`, `_` and `.`:
 * https://www.pulumi.com/docs/iac/concepts/stacks/) and also the suffix of every script name
 * (`<service>-<stack>`) and of the resource names made from it (`<service>-<stack>-<binding>`: D1
 * databases, R2 buckets, whose names are lowercase letters, digits and dashes:
 * https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations). So the platform
 * takes the part of Pulumi's rule that is valid in both: lowercase letters and digits, in words joined by
 * single dashes (`production`, `staging`, `pr-42`, `eu-west`).
 */

/** A stack name the platform accepts: lowercase letters and digits, words joined by single dashes. */
export const STACK_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** What {@link STACK_NAME} accepts, for messages. */
export const STACK_NAME_RULE = "lowercase letters and digits, words joined by single dashes (it ends every script and resource name)";

/**
 * A stack name made from any text (a wrangler environment name): lowercase, every run of other
 * characters (`_`, `.`, spaces) as one dash, no leading or trailing dash.
 * @returns the name, or undefined when nothing valid remains (`"__"`).
 */
export function stackNameFrom(text: string): string | undefined {
    const name = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return STACK_NAME.test(name) ? name : undefined;
}

/** Script name of a service in a stack: `<service>-<stack>`. */
export function scriptNameOf(service: string, stack: string): string {
    return `${service}-${stack}`;
}
