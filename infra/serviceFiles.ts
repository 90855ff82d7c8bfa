/**
 * The files a stack's services name, checked before any resource is registered, every problem reported
 * together with its path:
 *
 * - each entry module (`main`) exists and bundles (esbuild: a syntax error or an import that does not resolve
 *   is reported with its file and line);
 * - the bundled entry exports what the declarations name (esbuild's metafile lists the exports): the Durable
 *   Object and Workflow classes a service binds as its own and the Durable Object classes its migrations leave
 *   live (Cloudflare refuses to deploy a class the script does not export), and each named `entrypoint` another
 *   service binds (each kind says what it needs: `requiredExports` in `components/bindings/kind.ts`);
 * - the files bindings name are there (a D1 `migrationsDir` is a directory: each kind's `checkFiles`).
 *
 * The bundles are returned with the services, so each Worker is bundled once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { bindingKind } from "../components/bindings/index";
import { BundleError, type WorkerBundle } from "../components/cloudflare/bundle";
import type { EnvironmentService } from "../components/cloudflare/environment";
import { bundleService } from "../components/cloudflare/workerService";
import { replayMigrations, type DurableObjectMigration } from "../components/service/durableObjectMigrations";
import { ValidationError, renderPath, type ValidationIssue } from "../components/validation";

/**
 * @param stack the stack name, for the message.
 * @returns the services, each with its `bundle`.
 * @throws {ValidationError} listing every problem with its path (`services.api.main`,
 *   `services.api.bindings.COUNTER.className`, `services.api.bindings.DB.migrationsDir`).
 */
export function checkServiceFiles(stack: string, services: readonly EnvironmentService[]): EnvironmentService[] {
    performance.mark("platform:bundling"); // phase marks: tools/lib/phaseTimings.ts
    // Every bundle first (an entrypoint is checked against the bound service's), then each service's problems in order.
    const issues = new Map(services.map((s) => [s, [] as ValidationIssue[]]));
    const bundles = new Map<string, WorkerBundle>();
    for (const service of services) {
        const bundle = bundleEntry(service, issues.get(service)!);
        if (bundle !== undefined) bundles.set(service.declaration.name, bundle);
    }
    const byName = new Map(services.map((s) => [s.declaration.name, s]));
    for (const service of services) {
        const own = issues.get(service)!;
        for (const [name, binding] of Object.entries(service.declaration.bindings)) {
            own.push(...bindingKind(binding.kind).checkFiles?.(binding, {
                root: service.root,
                at: (...field) => renderPath(`services.${service.declaration.name}.bindings.${name}`, field),
            }) ?? []);
        }
        own.push(...exportIssues(service, byName, bundles));
    }
    const all = [...issues.values()].flat();
    if (all.length > 0) throw new ValidationError(`service files for stack "${stack}"`, all);
    performance.mark("platform:bundled");
    return services.map((s) => ({ ...s, bundle: bundles.get(s.declaration.name)! }));
}

/** The service's bundle, or undefined after recording why its entry module does not bundle. */
function bundleEntry(service: EnvironmentService, issues: ValidationIssue[]): WorkerBundle | undefined {
    const { declaration, root } = service;
    const at = `services.${declaration.name}.main`;
    const entry = path.resolve(root, declaration.main);
    const stat = fs.statSync(entry, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) {
        issues.push({
            path: at,
            message: `expected the Worker's entry module, but ${shown(service)} ${stat === undefined ? "does not exist" : "is not a file"}; create it, or fix main (relative to ${service.serviceDir || "the service directory"})`,
        });
        return undefined;
    }
    try {
        return bundleService(service);
    } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        issues.push({ path: at, message: `${shown(service)} does not bundle: ${error.problems.join("; ")}` });
        return undefined;
    }
}

/** Names the declarations need a bundle to export and it does not. */
function exportIssues(service: EnvironmentService, byName: ReadonlyMap<string, EnvironmentService>, bundles: ReadonlyMap<string, WorkerBundle>): ValidationIssue[] {
    const { declaration } = service;
    const issues: ValidationIssue[] = [];
    const reported = new Set<string>();
    for (const [name, binding] of Object.entries(declaration.bindings)) {
        for (const needed of bindingKind(binding.kind).requiredExports?.(binding) ?? []) {
            const owner = needed.service === undefined ? service : byName.get(needed.service);
            const bundle = owner === undefined ? undefined : bundles.get(owner.declaration.name);
            if (owner === undefined || bundle === undefined || bundle.exports.includes(needed.name)) continue;
            if (owner === service) reported.add(needed.name);
            issues.push({
                path: renderPath(`services.${declaration.name}.bindings.${name}`, [needed.field]),
                message: `${needed.what} "${needed.name}" is not exported by ${shown(owner)}${exportsNote(bundle)}; export it from that module (export class ${needed.name} ...), or fix the name`,
            });
        }
    }
    const bundle = bundles.get(declaration.name);
    if (bundle === undefined) return issues;
    const { classes } = replayMigrations(declaration.durableObjectMigrations as DurableObjectMigration[]);
    for (const className of classes.keys()) {
        if (reported.has(className) || bundle.exports.includes(className)) continue;
        issues.push({
            path: `services.${declaration.name}.durableObjectMigrations`,
            message: `Durable Object class "${className}", live after these migrations, is not exported by ${shown(service)}${exportsNote(bundle)}; ` +
                "Cloudflare refuses to deploy a script that does not export its Durable Object classes: export it, or add a step deleting it",
        });
    }
    return issues;
}

/** What the module does export, for the message. */
function exportsNote(bundle: WorkerBundle): string {
    const named = bundle.exports.filter((e) => e !== "default");
    return named.length === 0 ? " (it exports no named class)" : ` (it exports ${named.map((e) => `"${e}"`).join(", ")})`;
}

/** The entry module as the user knows it: `services/api/src/index.ts`. */
function shown(service: EnvironmentService): string {
    return [service.serviceDir, service.declaration.main].filter((p) => p !== "").join("/");
}
