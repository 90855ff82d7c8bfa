/**
 * One measured offline plan, in a fresh process (the SDK keeps global state, and peak RSS is per process):
 *
 *   node --import tsx bench/planOnce.ts --variant <variant> --services N --work <dir> [--dump <file>]
 *
 * Variants: `components` (this repository's program), `plain` (the same resources without components),
 * and, for `npm run bench -- --diagnose`, `skeleton` (plain resources under bare components) and two
 * what-ifs of the components variant that change what components register as outputs (see {@link WHAT_IFS}).
 *
 * Runs the variant's program under the SDK's mock engine in preview mode (`tools/lib/mockEngine.ts`)
 * and prints one line `BENCH_RESULT {json}` on stdout (see {@link PlanResult}). `--dump` also writes the
 * normalized custom resources, to diff the variants when their digests differ.
 *
 * Both variants' modules are imported up front, so module loading costs the same in both and stays out
 * of the plan time; it is reported separately as `startupMs`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../components/cloudflare/environment";
import { WorkerService } from "../components/cloudflare/workerService";
import { runOffline, type ResourceRecord } from "../tools/lib/mockEngine";
import { componentsProgram } from "./componentsProgram";
import { engineConfig, PROJECT, serviceSpecs, STACK } from "./fixture";
import { plainProgram } from "./plainProgram";
import { skeletonProgram } from "./skeletonProgram";
import { sortKeys } from "./sortKeys";

/**
 * What-ifs: the components variant with `ComponentResource#registerOutputs` patched, to measure what
 * registering component outputs costs. They change no custom resource.
 */
export const WHAT_IFS = {
    /** The Environment registers `{}` instead of `{ summary }` (the summary stays a stack output). */
    "components-envOutputsEmpty": (component: pulumi.ComponentResource) => component instanceof Environment,
    /** Every Environment and WorkerService registers `{}` (the root stack still registers its outputs). */
    "components-noComponentOutputs": (component: pulumi.ComponentResource) => component instanceof Environment || component instanceof WorkerService,
} as const;

/** Every variant of the same resource set. */
export const VARIANTS = ["components", "plain", "skeleton", ...Object.keys(WHAT_IFS) as (keyof typeof WHAT_IFS)[]] as const;
export type Variant = (typeof VARIANTS)[number];

/** What one run reports. */
export interface PlanResult {
    readonly variant: Variant;
    readonly services: number;
    /** Process start to the start of the plan: Node, tsx and module loading, ms. */
    readonly startupMs: number;
    /** Wall time of the offline plan (program + every registration answered), ms. */
    readonly planMs: number;
    /**
     * CPU time (user + system, every thread of this process: JS, GC, libuv) spent during the plan, ms.
     * Less sensitive than wall time to other processes competing for the cores.
     */
    readonly planCpuMs: number;
    /** Resident set size just before the plan, MB (MiB). */
    readonly rssBeforeMb: number;
    /** Peak resident set size of the process, MB (MiB). */
    readonly peakRssMb: number;
    /** V8 heap in use after the plan, MB (MiB). */
    readonly heapUsedAfterMb: number;
    /**
     * Debuggable promises the SDK created (each reads a source-mapped `new Error().stack`, the biggest
     * per-resource cost of the mock engine); a count, unaffected by other processes. -1 if not measurable.
     */
    readonly sdkPromises: number;
    /** Protobuf `Value`s the SDK built for the engine (inputs, outputs, registered outputs); -1 if not measurable. */
    readonly protobufValues: number;
    /** Registered custom resources (providers included). */
    readonly customResources: number;
    /** Registered component resources (the root stack included). */
    readonly componentResources: number;
    /** SHA-256 of the normalized custom resources: type, name, protect, inputs; sorted. */
    readonly customDigest: string;
    /** SHA-256 of each custom resource's dependencies as `type::name`; informational. */
    readonly dependencyDigest: string;
}

/** A custom resource as the variants must agree on it. */
export interface NormalizedResource {
    readonly type: string;
    readonly name: string;
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
    const startupMs = performance.now();
    const { values } = parseArgs({
        options: {
            variant: { type: "string" },
            services: { type: "string" },
            work: { type: "string" },
            dump: { type: "string" },
        },
    });
    const variant = values.variant as Variant;
    const count = Number(values.services);
    if (!VARIANTS.includes(variant) || !Number.isInteger(count) || count < 1 || values.work === undefined) {
        throw new Error(`usage: planOnce.ts --variant ${VARIANTS.join("|")} --services <N> --work <dir> [--dump <file>]`);
    }
    if (variant in WHAT_IFS) emptyOutputsOf(WHAT_IFS[variant as keyof typeof WHAT_IFS]);
    const specs = serviceSpecs(path.resolve(values.work), count);
    const config = engineConfig(specs);

    const work = countSdkWork();
    const rssBefore = process.memoryUsage().rss;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const run = await runOffline({
        project: PROJECT,
        stack: STACK,
        config,
        program: () => variant === "plain" ? plainProgram(specs) : variant === "skeleton" ? skeletonProgram(specs) : componentsProgram(specs),
    });
    const planMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const heapUsed = process.memoryUsage().heapUsed;

    const custom = normalize(run.resources);
    if (values.dump !== undefined) fs.writeFileSync(values.dump, JSON.stringify(custom, null, 1));
    const result: PlanResult = {
        variant,
        services: count,
        startupMs,
        planMs,
        planCpuMs: (cpu.user + cpu.system) / 1000,
        rssBeforeMb: mb(rssBefore),
        peakRssMb: mb(peakRss),
        heapUsedAfterMb: mb(heapUsed),
        sdkPromises: work.promises(),
        protobufValues: work.values(),
        customResources: custom.length,
        componentResources: run.resources.filter((r) => !r.custom).length,
        customDigest: sha256(JSON.stringify(custom)),
        dependencyDigest: sha256(JSON.stringify(dependencies(run.resources))),
    };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

/**
 * Counts two kinds of SDK work by wrapping SDK internals (`runtime/debuggable.js`'s `debuggablePromise`,
 * which the SDK calls through its exports object, and the protobuf `Value.fromJavaScript` the SDK
 * serializes with). The wrappers cost the same in every variant. When a later SDK moves these, the
 * counts are -1 and the bench leaves them out.
 */
function countSdkWork(): { promises: () => number; values: () => number } {
    let promises = 0;
    let values = 0;
    try {
        const sdkRuntime = path.dirname(require.resolve("@pulumi/pulumi/runtime/rpc.js"));
        const debuggable = require(path.join(sdkRuntime, "debuggable.js")) as { debuggablePromise: (...args: unknown[]) => unknown };
        const struct = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [sdkRuntime] })) as {
            Value: { fromJavaScript: (...args: unknown[]) => unknown };
        };
        if (typeof debuggable.debuggablePromise !== "function" || typeof struct.Value.fromJavaScript !== "function") throw new Error("moved");
        const debuggablePromise = debuggable.debuggablePromise;
        debuggable.debuggablePromise = (...args: unknown[]) => { promises++; return debuggablePromise(...args); };
        const fromJavaScript = struct.Value.fromJavaScript;
        struct.Value.fromJavaScript = function (this: unknown, ...args: unknown[]) { values++; return fromJavaScript.apply(this, args); };
    } catch {
        return { promises: () => -1, values: () => -1 };
    }
    return { promises: () => promises, values: () => values };
}

/** Makes the components `select` picks register empty outputs. */
function emptyOutputsOf(select: (component: pulumi.ComponentResource) => boolean): void {
    type Registrar = (this: pulumi.ComponentResource, outputs?: unknown) => void;
    const proto = pulumi.ComponentResource.prototype as unknown as { registerOutputs: Registrar };
    const original = proto.registerOutputs;
    proto.registerOutputs = function (this: pulumi.ComponentResource, outputs?: unknown) {
        original.call(this, select(this) ? {} : outputs);
    };
}

/** Custom resources without what differs by construction (URNs, parents): sorted by type and name. */
export function normalize(resources: readonly ResourceRecord[]): NormalizedResource[] {
    return resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, name: r.name, protect: r.protect, inputs: sortKeys(r.inputs) as Record<string, unknown> }))
        .sort((a, b) => key(a).localeCompare(key(b)));
}

function dependencies(resources: readonly ResourceRecord[]): [string, string[]][] {
    const byUrn = new Map(resources.map((r) => [r.urn, `${r.type}::${r.name}`]));
    return resources
        .filter((r) => r.custom)
        .map((r): [string, string[]] => [`${r.type}::${r.name}`, r.dependencies.map((d) => byUrn.get(d) ?? d).sort()])
        .sort((a, b) => a[0].localeCompare(b[0]));
}

function key(r: { type: string; name: string }): string {
    return `${r.type}::${r.name}`;
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

function mb(bytes: number): number {
    return bytes / (1024 * 1024);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
});
