/**
 * The platform's stack names and the Cloudflare names derived from them. Pure; imports nothing.
 *
 * A stack name is first a Pulumi stack name: 1 to 100 characters, letters, digits, `-`, `_` and `.`
 * (`ParseStackName` in pulumi/pulumi `sdk/go/common/tokens/stack_name.go`, v3.276.0, which the CLI applies to
 * `--stack` and `pulumi stack init`; a fully qualified `<org>/<project>/<stack>` names the stack by its last
 * part). It is also the suffix of every script name (`<service>-<stack>`) and of the resource names made from
 * it (`<service>-<stack>-<binding>`: D1 databases, R2 buckets, whose names are lowercase letters, digits and
 * dashes: https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations). So the
 * platform takes the part of Pulumi's rule that is valid in both: lowercase letters and digits, in words
 * joined by single dashes (`production`, `staging`, `pr-42`, `eu-west`).
 */

/** A stack name the platform accepts: lowercase letters and digits, words joined by single dashes. */
export const STACK_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** What {@link STACK_NAME} accepts, for messages. */
export const STACK_NAME_RULE = "lowercase letters and digits, words joined by single dashes (it ends every script and resource name)";

/** Pulumi's longest stack name, in bytes. */
export const PULUMI_STACK_NAME_MAX = 100;
/** The characters Pulumi allows in a stack name. */
const PULUMI_STACK_NAME = /^[A-Za-z0-9_.-]*/;

/**
 * What is wrong with `name` as a stack of this platform: Pulumi's own rule first (with Pulumi's wording, so
 * the message matches what `pulumi stack init` would say), then the platform's stricter {@link STACK_NAME}.
 * @returns undefined for a valid name.
 */
export function stackNameProblem(name: string): string | undefined {
    if (name === "") return "a stack name may not be empty";
    if (name.includes("/")) {
        const last = name.slice(name.lastIndexOf("/") + 1);
        return `${JSON.stringify(name)} contains "/", as a fully qualified stack reference (<org>/<project>/<stack>) does; ` +
            `pass the stack's own name${last === "" ? "" : ` (${JSON.stringify(last)})`}, which names its Pulumi.<stack>.yaml`;
    }
    if (new TextEncoder().encode(name).length > PULUMI_STACK_NAME_MAX) return `a stack name cannot exceed ${PULUMI_STACK_NAME_MAX} characters (got ${name.length})`;
    const matched = PULUMI_STACK_NAME.exec(name)![0].length;
    if (matched !== name.length) {
        return `a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character ${JSON.stringify(name[matched])} at position ${matched}`;
    }
    if (!STACK_NAME.test(name)) return `${JSON.stringify(name)} is a valid Pulumi stack name, but this platform expects ${STACK_NAME_RULE}`;
    return undefined;
}

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
