/**
 * The plain program of a planned stack: the same custom resources that `npm run plan -- --stack <stack>`
 * registered, declared the way a Pulumi user without this repository's components would declare them
 * (`new cloudflare.WorkersScript(name, args)` and so on, inputs as literal values), run under the same
 * SDK mock engine. The end-to-end figure of `npm run bench` compares the main job with this program, each
 * started the way its user starts it (`npm exec -- tsx bench/plainStack.ts ...`, a fresh process).
 *
 *   tsx bench/plainStack.ts --from <plan.json> [--json <file>]
 *
 * `--from` is the `--json` report of the plan (`tools/plan.ts`: `{ stack, resources }`, secrets masked as
 * `"[secret]"`, unknowns as `"[unknown]"`). Each custom resource is declared with its package's class when the
 * package is installed (`@pulumi/cloudflare`, `@pulumi/github`: type token `<pkg>:index/<x>:<Class>`, providers
 * `pulumi:providers:<pkg>`), else (dynamic providers: `pulumi-nodejs:dynamic/...`, whose recorded inputs carry
 * the serialized provider) as a `pulumi.CustomResource` of that type. Masked secrets are declared as secrets
 * (`pulumi.secret("[secret]")`) and unknowns as the literal `"[unknown]"`, so the masked inputs match the
 * plan's. What it leaves out, as a plain program has none: components, declarations, config validation,
 * bundling (the bundle is a literal input), policies and generated files; and explicit dependencies
 * (`dependsOn`), which the report does not record.
 *
 * `--json` writes what this program registered, masked the same way: `{ stack, resources }` with `type`, `name`,
 * `protect` and `inputs`, to check that it declares the same resources (`bench/mainJob.ts`).
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { argumentError, runCli, type Command } from "../tools/lib/cli";
import { MASKED_SECRET, maskSecrets, runOffline } from "../tools/lib/mockEngine";

/** A resource of the plan's `--json` report, as far as the plain program needs it. */
export interface ReportedResource {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
}

/** The project every offline plan of this repository runs as (`Pulumi.yaml` `name`). */
const PROJECT = "platform";
const USAGE = "usage: tsx bench/plainStack.ts --from <plan.json> [--json <file>]";

/** Type token → the class a plain program would construct; undefined for a generic `pulumi.CustomResource`. */
type ResourceClass = new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The class of a type token in an installed provider package: `cloudflare:index/workersScript:WorkersScript`
 * → `@pulumi/cloudflare`'s `WorkersScript`, `pulumi:providers:github` → `@pulumi/github`'s `Provider`.
 */
export function resourceClass(type: string): ResourceClass | undefined {
    const provider = /^pulumi:providers:([a-z0-9-]+)$/.exec(type);
    const resource = /^([a-z0-9-]+):index\/[A-Za-z0-9]+:([A-Za-z0-9]+)$/.exec(type);
    const [pkg, member] = provider !== null ? [provider[1]!, "Provider"] : resource !== null ? [resource[1]!, resource[2]!] : [];
    if (pkg === undefined || member === undefined) return undefined;
    let loaded: Record<string, unknown>;
    try {
        loaded = require(`@pulumi/${pkg}`) as Record<string, unknown>;
    } catch {
        return undefined;
    }
    return typeof loaded[member] === "function" ? loaded[member] as ResourceClass : undefined;
}

/** The masked values back as program values: `"[secret]"` → a secret, recursively. */
export function unmask(value: unknown): unknown {
    if (value === MASKED_SECRET) return pulumi.secret(MASKED_SECRET);
    if (Array.isArray(value)) return value.map(unmask);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmask(v)]));
    return value;
}

/** Declares every custom resource of `resources` as a plain program does. */
export function plainStackProgram(resources: readonly ReportedResource[]): void {
    for (const r of resources.filter((x) => x.custom)) {
        const inputs = unmask(r.inputs) as Record<string, unknown>;
        const opts: pulumi.CustomResourceOptions = r.protect ? { protect: true } : {};
        const Class = resourceClass(r.type);
        if (Class !== undefined) new Class(r.name, inputs, opts);
        else new GenericResource(r.type, r.name, inputs, opts);
    }
}

/** A custom resource of any type token, as `pulumi.CustomResource` (abstract in the SDK's types) registers it. */
class GenericResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
        super(type, name, inputs, opts);
    }
}

async function main(argv: readonly string[]): Promise<number> {
    const { values } = parseArgs({ args: [...argv], options: { from: { type: "string" }, json: { type: "string" } }, strict: true });
    if (values.from === undefined) throw argumentError("--from", "required: the plan's --json report");
    let report: { stack?: unknown; resources?: unknown };
    try {
        report = JSON.parse(fs.readFileSync(values.from, "utf8")) as typeof report;
    } catch (error) {
        throw argumentError("--from", `expected the plan's --json report, but ${values.from} cannot be read as JSON: ${(error as Error).message}`);
    }
    if (typeof report.stack !== "string" || !Array.isArray(report.resources)) {
        throw argumentError("--from", `expected { stack, resources } (the plan's --json report) in ${values.from}`);
    }
    const resources = report.resources as ReportedResource[];
    const run = await runOffline({ project: PROJECT, stack: report.stack, config: { config: {}, secretKeys: [] }, program: () => plainStackProgram(resources) });
    if (values.json !== undefined) {
        const registered = run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, protect: r.protect, inputs: maskSecrets(r.inputs) }));
        fs.writeFileSync(values.json, JSON.stringify({ stack: report.stack, resources: registered }, null, 2) + "\n");
    }
    return 0;
}

/** The plain program as a command (`runCli`). */
export const plainStackCommand: Command = { name: "bench", usage: USAGE, main };

if (require.main === module) runCli(plainStackCommand);
