/**
 * The stack as the Worker policies see it: one "worker" per Worker, whatever the way it is deployed.
 *
 * - `deployment.strategy: "script"`: one `WorkersScript` holds the code, bindings, compatibility date,
 *   migrations and settings; a `WorkersScriptSubdomain` says whether workers.dev serves it.
 * - `deployment.strategy: "versions"`: a `Worker` holds the settings (observability, `subdomain`), each
 *   `WorkerVersion` holds code, bindings, compatibility date and migrations, and a `WorkersDeployment`
 *   sends the Worker's traffic to versions.
 *
 * Links are read as the engine sends them: a property's dependencies first (`propertyDependencies`, e.g. a
 * version's `workerId` on its Worker), then the name a deployment gives (`scriptName`), then plain
 * dependencies. A value still unknown in a preview never stops a policy here: that link falls to the next rule.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { PolicyResource, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";

/** How a Worker's code reaches traffic. */
export type WorkerStrategy = "script" | "versions";

/** One place where a Worker's workers.dev setting is declared. */
export interface WorkersDevSetting {
    /** The `Worker` (its `subdomain`) or a `WorkersScriptSubdomain`. */
    readonly resource: PolicyResource;
    /** Its `enabled` value as declared (possibly unknown in a preview, then `undefined`). */
    readonly enabled: unknown;
}

/** One Worker of the stack with what surrounds it, the same shape for every strategy. */
export interface WorkerView {
    /** `script` for a `WorkersScript`, `versions` for a `Worker` or versions of a Worker the stack does not hold. */
    readonly strategy: WorkerStrategy;
    /**
     * The resource that stands for the Worker, where violations about the Worker as a whole are reported:
     * the `WorkersScript`, the `Worker`, or, for a Worker outside the stack, the `WorkersDeployment` (or the
     * lone `WorkerVersion`) that ships code to it.
     */
    readonly resource: PolicyResource;
    /** The Worker's name (script name); `undefined` when unknown in a preview or not in the stack. */
    readonly scriptName: string | undefined;
    /** The `WorkerService` component it belongs to, if any. */
    readonly service: PolicyResource | undefined;
    /** What carries code, bindings, compatibility date and migrations: the `WorkersScript`, or its `WorkerVersion`s in the stack. */
    readonly code: readonly PolicyResource[];
    /** Where its workers.dev setting is declared: the `Worker`'s `subdomain`, `WorkersScriptSubdomain`s naming it. */
    readonly workersDev: readonly WorkersDevSetting[];
    /** The `WorkersDeployment`s that send its traffic to versions. */
    readonly deployments: readonly PolicyResource[];
}

/** Every Worker of the stack: `WorkersScript`s, `Worker`s with their versions and deployments, and versions of Workers outside the stack. */
export function workers(resources: readonly PolicyResource[]): WorkerView[] {
    const scripts = resources.filter((r) => r.isType(cloudflare.WorkersScript));
    const namedWorkers = resources.filter((r) => r.isType(cloudflare.Worker));
    const versions = resources.filter((r) => r.isType(cloudflare.WorkerVersion));
    const deployments = resources.filter((r) => r.isType(cloudflare.WorkersDeployment));
    const subdomains = resources.filter((r) => r.isType(cloudflare.WorkersScriptSubdomain));

    const targets = [...scripts, ...namedWorkers];
    const deploymentsOf = groupBy(deployments, (d) => deploymentTarget(d, targets));
    const deployed = new Map(deployments.map((d) => [d, deployedVersions(d, versions)]));
    const versionsOf = groupBy(versions, (v) => versionWorker(v, namedWorkers));
    const subdomainsOf = groupBy(subdomains, (s) => known(() => s.props.scriptName));
    const claimed = new Set<PolicyResource>();

    const view = (strategy: WorkerStrategy, resource: PolicyResource, scriptName: string | undefined, own: PolicyResource[], settings: WorkersDevSetting[]): WorkerView => {
        const its = deploymentsOf.get(resource) ?? [];
        const code = unique([...own, ...its.flatMap((d) => deployed.get(d) ?? [])]);
        code.forEach((c) => claimed.add(c));
        const named = scriptName === undefined ? [] : subdomainsOf.get(scriptName) ?? [];
        return {
            strategy, resource, scriptName, code, deployments: its,
            service: [resource, ...code, ...its].map((r) => ancestorOfType(r, WORKER_SERVICE_TYPE)).find((s) => s !== undefined),
            workersDev: [...settings, ...named.map((s) => ({ resource: s, enabled: known(() => s.props.enabled) }))],
        };
    };
    const views = [
        ...scripts.map((s) => view("script", s, nameOf(s), [s], [])),
        ...namedWorkers.map((w) => {
            const subdomain = known(() => w.props.subdomain) as { enabled?: unknown } | undefined;
            return view("versions", w, nameOf(w), versionsOf.get(w) ?? [],
                subdomain === undefined || subdomain === null ? [] : [{ resource: w, enabled: known(() => subdomain.enabled) }]);
        }),
    ];
    // Versions of a Worker the stack does not declare: one view per deployment shipping them, else per version.
    for (const d of deploymentsOf.get(undefined) ?? []) {
        const shipped = (deployed.get(d) ?? []).filter((v) => !claimed.has(v));
        if (shipped.length > 0) views.push(view("versions", d, nameOf(d), shipped, []));
    }
    for (const v of versions) {
        if (!claimed.has(v)) views.push(view("versions", v, undefined, [v], []));
    }
    return views;
}

/** The closest ancestor of `resource` with type `type`. */
export function ancestorOfType(resource: PolicyResource, type: string): PolicyResource | undefined {
    for (let p = resource.parent; p !== undefined; p = p.parent) {
        if (p.type === type) return p;
    }
    return undefined;
}

/** A readable name for messages: the Worker's name when known, else the resource name. */
export function workerLabel(view: WorkerView): string {
    return view.scriptName ?? view.resource.name;
}

/** The resources of a Worker a resource policy can see: its script, its `Worker` and its versions. */
export type WorkerResourceKind = "script" | "worker" | "version";

const WORKER_RESOURCE_CLASSES: Readonly<Record<WorkerResourceKind, new (...rest: any[]) => Resource>> = {
    script: cloudflare.WorkersScript, worker: cloudflare.Worker, version: cloudflare.WorkerVersion,
};

/** What carries a Worker's code, bindings, compatibility date and migrations (same field names in the provider schema). */
export const WORKER_CODE: readonly WorkerResourceKind[] = ["script", "version"];
/** What carries a Worker's settings: observability, logpush (same field names in the provider schema). */
export const WORKER_SETTINGS: readonly WorkerResourceKind[] = ["script", "worker"];

/** Where a resource policy's message points: its subject and the stack it checks. */
export interface CheckedResource {
    /** `Worker <name>` or `Worker version <resource name>` (see {@link resourceSubject}). */
    readonly subject: string;
    /** ` in <stack>` (see {@link inStack}). */
    readonly where: string;
}

/**
 * A resource policy's `validateResource` for one check over every resource of `kinds`: the policy sees a
 * versioned Worker's fields on its `Worker` or `WorkerVersion` exactly as a script's on its `WorkersScript`.
 */
export function onWorkerResources<T>(
    kinds: readonly WorkerResourceKind[],
    check: (fields: T, at: CheckedResource, args: ResourceValidationArgs, reportViolation: (message: string) => void) => void,
): ResourceValidation {
    return (args, reportViolation) => {
        const kind = kinds.find((k) => args.isType(WORKER_RESOURCE_CLASSES[k]));
        if (kind === undefined) return;
        check(args.props as T, { subject: resourceSubject(kind, args), where: inStack(args.urn) }, args, (message) => reportViolation(message));
    };
}

/**
 * The subject of a message in a resource policy, which sees one resource alone: `Worker <script name>` for
 * a `WorkersScript` (`scriptName`) or `Worker` (`name`), `Worker version <resource name>` for a
 * `WorkerVersion` (its props do not name the Worker).
 */
export function resourceSubject(kind: WorkerResourceKind, args: { readonly name: string; readonly props: Record<string, unknown> }): string {
    if (kind === "version") return `Worker version ${args.name}`;
    const name = known(() => args.props[kind === "worker" ? "name" : "scriptName"]);
    return `Worker ${typeof name === "string" ? name : args.name}`;
}

/**
 * ` in <stack>` for the stack a resource belongs to, read from its URN (`urn:pulumi:<stack>::<project>::…`),
 * which the engine sends with every resource; empty when there is no URN to read.
 */
export function inStack(urn: string | undefined): string {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
    return match === null ? "" : ` in ${match[1]}`;
}

/** The value `read` returns, or `undefined` when it reads a value unknown during a preview (the policy SDK throws then). */
export function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (err) {
        if (err instanceof Error && err.constructor.name === "UnknownValueError") return undefined;
        throw err;
    }
}

/** The Worker name a resource declares: `scriptName` (script, subdomain, deployment) or `name` (Worker). */
function nameOf(r: PolicyResource): string | undefined {
    const name = known(() => (r.isType(cloudflare.Worker) ? r.props.name : r.props.scriptName));
    return typeof name === "string" ? name : undefined;
}

/** The script or Worker a deployment sends traffic for: by its `scriptName` dependency, its name, then its dependencies. */
function deploymentTarget(d: PolicyResource, targets: readonly PolicyResource[]): PolicyResource | undefined {
    const name = nameOf(d);
    const byName = name === undefined ? [] : targets.filter((t) => nameOf(t) === name);
    return one(d, linkedBy(d, "scriptName", targets)) ?? one(d, byName) ?? one(d, dependedOn(d, targets));
}

/** The one Worker a version belongs to: by its `workerId` dependency, then its dependencies. */
function versionWorker(v: PolicyResource, candidates: readonly PolicyResource[]): PolicyResource | undefined {
    return one(v, linkedBy(v, "workerId", candidates)) ?? one(v, dependedOn(v, candidates));
}

/** The versions a deployment ships: its `versions` dependencies, else the versions among its dependencies. */
function deployedVersions(d: PolicyResource, versions: readonly PolicyResource[]): PolicyResource[] {
    const byProperty = linkedBy(d, "versions", versions);
    return byProperty.length > 0 ? byProperty : dependedOn(d, versions);
}

/** The only one of `found`, or the only one with `r`'s parent; `undefined` when none or ambiguous. */
function one(r: PolicyResource, found: readonly PolicyResource[]): PolicyResource | undefined {
    if (found.length <= 1) return found[0];
    const siblings = found.filter((c) => c.parent?.urn === r.parent?.urn);
    return siblings.length === 1 ? siblings[0] : undefined;
}

/** The candidates `property` of `r` depends on (`propertyDependencies`, as the engine sends them). */
function linkedBy(r: PolicyResource, property: string, candidates: readonly PolicyResource[]): PolicyResource[] {
    return among(r.propertyDependencies?.[property] ?? [], candidates);
}

/** The candidates `r` depends on at all. */
function dependedOn(r: PolicyResource, candidates: readonly PolicyResource[]): PolicyResource[] {
    return among(r.dependencies ?? [], candidates);
}

/** The candidates named by `refs` (matched by URN), once each. */
function among(refs: readonly PolicyResource[], candidates: readonly PolicyResource[]): PolicyResource[] {
    const urns = new Set(refs.map((d) => d.urn));
    return candidates.filter((c) => urns.has(c.urn));
}

/** `items` by `key`, each group in the order of `items`. */
function groupBy<K, T>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    for (const item of items) {
        const k = key(item);
        const group = groups.get(k);
        if (group === undefined) groups.set(k, [item]);
        else group.push(item);
    }
    return groups;
}

function unique<T>(items: readonly T[]): T[] {
    return [...new Set(items)];
}
