/**
 * Resolves the declared services against one stack's config: merges per-stack overrides into settings,
 * checks everything that needs both (vars against the env contract, routes against the zone, secrets
 * against secret bindings, bindings against the other services), and orders services so each comes
 * after the services it binds to. Every problem is collected and reported together.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { dependenciesOf, scriptNameOf, type EnvironmentService } from "../components/cloudflare/environment";
import { resourceName } from "../components/cloudflare/workerService";
import { contractIssues } from "../components/service/envContract";
import { ValidationError, describeValue, renderPath, type ValidationIssue } from "../components/validation";
import type { ServiceSettings } from "../components/service/settings";
import type { ServiceDeclaration } from "../components/service/declaration";
import { stackNameProblem } from "../components/stackName";
import { resolveImports } from "../components/bindings/adoption";
import { bindingKind } from "../components/bindings/index";
import { stackWorkerSettings, workerSettingsStackIssues } from "../components/service/workerSettings";
import { deploySafetySettings } from "./deploySafety";
import { NAMESPACE, setSecretCommand, type StackConfig } from "./config";
import type { ServiceEntry } from "./registry";

/** Cloudflare's limit on script names and R2 bucket names. Source: https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations */
export const MAX_NAME_LENGTH = 63;

/**
 * @param stack the stack name (suffix of script names).
 * @param config the validated stack config.
 * @param entries the registered services.
 * @param projectRoot absolute path of the project root (where Pulumi.yaml is).
 * @returns the services in dependency order, secrets wrapped as Pulumi secrets.
 * @throws {ValidationError} listing every problem with its path (`platform:services.api.vars.X`,
 *   `services.reports.bindings.API.service`).
 */
export function resolveServices(stack: string, config: StackConfig, entries: readonly ServiceEntry[], projectRoot: string): EnvironmentService[] {
    const issues: ValidationIssue[] = [];
    const byName = new Map<string, ServiceEntry>();
    entries.forEach((entry, index) => {
        // A service module without `export default defineService(...)` lists `undefined` here, or a plain object.
        if (!isDeclaration(entry.declaration)) {
            issues.push({
                path: `services[${index}]${entry.root === undefined ? "" : ` (${path.relative(projectRoot, entry.root) || entry.root})`}`,
                message: `expected a declaration made by defineService (the default export of service.ts), got ${describeValue(entry.declaration)}`,
            });
        }
    });
    if (issues.length > 0) throw new ValidationError(`services for stack "${stack}"`, issues);
    for (const entry of entries) {
        const name = entry.declaration.name;
        if (byName.has(name)) {
            issues.push({ path: `services.${name}.name`, message: `two services are declared with the name "${name}"; names must be unique` });
        }
        byName.set(name, entry);
    }
    for (const name of Object.keys(config.services)) {
        if (!byName.has(name)) {
            issues.push({ path: renderPath(`${NAMESPACE}:`, ["services", name]), message: `no service named "${name}" is declared; declared: ${[...byName.keys()].join(", ")}` });
        }
    }
    for (const name of Object.keys(config.secrets)) {
        if (!byName.has(name)) {
            issues.push({ path: renderPath(`${NAMESPACE}:`, ["secrets", name]), message: `no service named "${name}" is declared; declared: ${[...byName.keys()].join(", ")}` });
        }
    }

    const stackProblem = stackNameProblem(stack);
    if (stackProblem !== undefined) issues.push({ path: "stack", message: stackProblem });

    const resolved: EnvironmentService[] = [];
    const hostnames = new Map<string, string>();
    // Built once, not per service (quadratic in the number of services).
    const declarations = new Map([...byName].map(([name, e]) => [name, e.declaration]));
    const serviceNames = new Set(byName.keys());
    for (const entry of byName.values()) {
        const settings = mergeSettings(stack, config, entry, issues);
        checkNames(stack, entry, issues);
        checkBindings(entry, declarations, issues);
        issues.push(...workerSettingsStackIssues(entry.declaration, {
            services: serviceNames,
            strategy: config.services[entry.declaration.name]?.deployment?.strategy,
        }, `services.${entry.declaration.name}`, renderPath(`${NAMESPACE}:`, ["services", entry.declaration.name])));
        checkDatabase(config, entry, issues);
        checkHosts(config, entry.declaration.name, settings, hostnames, issues);
        const secrets = collectSecrets(config, entry, issues);
        const imports = resolveImports(entry.declaration, config.services[entry.declaration.name]?.import, config.accountId,
            renderPath(`${NAMESPACE}:`, ["services", entry.declaration.name, "import"]), issues);
        resolved.push({
            declaration: entry.declaration,
            root: entry.root,
            serviceDir: path.relative(projectRoot, entry.root).split(path.sep).join("/"),
            settings,
            secrets,
            ...(imports === undefined ? {} : { imports }),
            ...deploySafetySettings(config, entry.declaration.name),
        });
    }
    const ordered = orderByDependencies(resolved, issues);
    if (issues.length > 0) {
        throw new ValidationError(`services for stack "${stack}"`, issues);
    }
    return ordered;
}

/** Whether `value` has the shape `defineService` returns (a plain object written without it lacks its defaults). */
function isDeclaration(value: unknown): boolean {
    const d = value as Partial<Record<keyof ServiceDeclaration, unknown>> | null | undefined;
    return typeof d === "object" && d !== null && typeof d.name === "string" && typeof d.main === "string" &&
        typeof d.bindings === "object" && d.bindings !== null && Array.isArray(d.durableObjectMigrations) &&
        typeof d.env === "object" && d.env !== null && Array.isArray(d.routes) && typeof d.health === "object";
}

function mergeSettings(stack: string, config: StackConfig, entry: ServiceEntry, issues: ValidationIssue[]): ServiceSettings {
    const decl = entry.declaration;
    const overrides = config.services[decl.name] ?? {};
    const vars: Record<string, string> = {};
    for (const [name, binding] of Object.entries(decl.bindings)) {
        if (binding.kind === "var") vars[name] = binding.value;
    }
    for (const [name, value] of Object.entries(overrides.vars ?? {})) {
        const binding = decl.bindings[name];
        if (binding?.kind !== "var") {
            issues.push({
                path: renderPath(`${NAMESPACE}:`, ["services", decl.name, "vars", name]),
                message: binding === undefined
                    ? `service ${decl.name} declares no binding "${name}"; add { kind: "var", value: ... } to its bindings first`
                    : `binding "${name}" of service ${decl.name} is a ${binding.kind}, not a var`,
            });
            continue;
        }
        vars[name] = value;
    }
    const overridden = Object.fromEntries(Object.keys(overrides.vars ?? {}).flatMap((k) => vars[k] === undefined ? [] : [[k, vars[k]!]]));
    for (const issue of contractIssues(decl.env, overridden, renderPath(`${NAMESPACE}:`, ["services", decl.name, "vars"]))) {
        issues.push({ path: issue.path, message: `fails the env contract of ${decl.name}: ${issue.message}` });
    }
    return {
        routes: overrides.routes ?? decl.routes,
        customDomains: overrides.customDomains ?? decl.customDomains,
        vars,
        workersDev: overrides.workersDev ?? decl.workersDev,
        crons: overrides.crons ?? decl.crons,
        observability: overrides.observability ?? decl.observability,
        protect: overrides.protect ?? config.protect ?? stack === "production",
        ...stackWorkerSettings(decl, overrides),
    };
}

function checkNames(stack: string, entry: ServiceEntry, issues: ValidationIssue[]): void {
    const decl = entry.declaration;
    for (const { name, binding, from } of overlongNames(stack, decl)) {
        issues.push(binding === undefined
            ? { path: `services.${decl.name}.name`, message: `script name "${name}" is longer than ${MAX_NAME_LENGTH} characters; shorten the service or stack name` }
            : {
                path: `services.${decl.name}.bindings.${binding}${from === undefined ? "" : `.${from}`}`,
                message: `resource name "${name}" is longer than ${MAX_NAME_LENGTH} characters; shorten the ${from ?? "binding name"}`,
            });
    }
}

/** A name the platform would derive for a service in a stack that is longer than Cloudflare accepts. */
export interface OverlongName {
    /** The derived name. */
    readonly name: string;
    /** The binding whose resource it names (a D1 database, an R2 bucket, ...); undefined for the script name. */
    readonly binding?: string;
    /** The binding's field the name derives from when not its name (a Workflow's `className`). */
    readonly from?: string;
}

/**
 * The names a service would get in a stack that are longer than {@link MAX_NAME_LENGTH}: its script name
 * (`<service>-<stack>`) and the names of the resources of its binding kinds with limited names
 * (`<service>-<stack>-<binding>`: D1 databases, R2 buckets; a kind's own `physicalName`: Workflows'
 * `<service>-<stack>-<class slug>`). Empty when every name fits.
 */
export function overlongNames(stack: string, declaration: ServiceDeclaration): OverlongName[] {
    const out: OverlongName[] = [];
    const script = scriptNameOf(declaration.name, stack);
    if (script.length > MAX_NAME_LENGTH) out.push({ name: script });
    for (const [name, binding] of Object.entries(declaration.bindings)) {
        const kind = bindingKind(binding.kind);
        const physical = kind.physicalName === undefined ? resourceName(script, name) : kind.physicalName.of(binding, script);
        if (kind.limitedName !== true || physical === undefined || physical.length <= MAX_NAME_LENGTH) continue;
        out.push(kind.physicalName === undefined ? { name: physical, binding: name } : { name: physical, binding: name, from: kind.physicalName.from });
    }
    return out;
}

/** A binding whose kind needs the stack's database (hyperdrive) needs `platform:database`, which the environment connects. */
function checkDatabase(config: StackConfig, entry: ServiceEntry, issues: ValidationIssue[]): void {
    if (config.database !== undefined) return;
    for (const [name, binding] of Object.entries(entry.declaration.bindings)) {
        if (bindingKind(binding.kind).needsDatabase === true) {
            issues.push({ path: `services.${entry.declaration.name}.bindings.${name}`, message: `a ${binding.kind} binding needs the stack's database; set ${NAMESPACE}:database (see infra/databaseConfig.ts)` });
        }
    }
}

function checkBindings(entry: ServiceEntry, declarations: ReadonlyMap<string, ServiceDeclaration>, issues: ValidationIssue[]): void {
    const decl = entry.declaration;
    for (const [name, binding] of Object.entries(decl.bindings)) {
        const kind = bindingKind(binding.kind);
        const at = (...path: PropertyKey[]) => renderPath(`services.${decl.name}.bindings.${name}`, path);
        const missing = (kind.dependsOnServices?.(binding) ?? []).filter((service) => !declarations.has(service));
        for (const service of missing) {
            issues.push({ path: at(...(kind.servicePath ?? ["service"])), message: `no service named "${service}" is declared; declared: ${[...declarations.keys()].join(", ")}` });
        }
        if (missing.length === 0 && kind.checkAgainstServices !== undefined) issues.push(...kind.checkAgainstServices(binding, declarations, at));
    }
}

function checkHosts(config: StackConfig, service: string, settings: ServiceSettings, seen: Map<string, string>, issues: ValidationIssue[]): void {
    const hosts: [string, string, number][] = [
        ...settings.routes.map((pattern, i): [string, string, number] => [pattern.split("/")[0]!.replace(/^\*\.?/, ""), "routes", i]),
        ...settings.customDomains.map((host, i): [string, string, number] => [host, "customDomains", i]),
    ];
    for (const [host, field, index] of hosts) {
        const at = renderPath(`${NAMESPACE}:`, ["services", service, field, index]);
        if (config.zone === undefined) {
            issues.push({ path: at, message: `routes and custom domains need the stack's zone; set ${NAMESPACE}:zone to { id, name }` });
            continue;
        }
        if (host !== config.zone.name && !host.endsWith(`.${config.zone.name}`)) {
            issues.push({ path: at, message: `"${host}" is not in the stack's zone ${config.zone.name}` });
        }
        if (field === "customDomains") {
            const owner = seen.get(host);
            if (owner !== undefined) {
                issues.push({ path: at, message: `custom domain ${host} is already served by service ${owner}` });
            }
            seen.set(host, service);
        }
    }
}

function collectSecrets(config: StackConfig, entry: ServiceEntry, issues: ValidationIssue[]): pulumi.Output<Record<string, string>> {
    const decl = entry.declaration;
    const values = config.secrets[decl.name] ?? {};
    const out: Record<string, string> = {};
    for (const [name, binding] of Object.entries(decl.bindings)) {
        if (binding.kind !== "secret") continue;
        const value = values[name];
        if (value === undefined) {
            issues.push({
                path: renderPath(`${NAMESPACE}:`, ["secrets", decl.name, name]),
                message: `missing; set it with: ${setSecretCommand([decl.name, name])}`,
            });
            continue;
        }
        out[name] = value;
    }
    for (const name of Object.keys(values)) {
        if (decl.bindings[name]?.kind !== "secret") {
            issues.push({ path: renderPath(`${NAMESPACE}:`, ["secrets", decl.name, name]), message: `service ${decl.name} has no secret binding "${name}"; remove it or declare { kind: "secret" }` });
        }
    }
    return pulumi.secret(out);
}

/**
 * Orders services so that each comes after the services it binds to (Kahn's algorithm, ties broken by
 * name so the order is stable). A cycle cannot be created on a first deploy and is reported.
 */
export function orderByDependencies(services: readonly EnvironmentService[], issues: ValidationIssue[]): EnvironmentService[] {
    const byName = new Map(services.map((s) => [s.declaration.name, s]));
    const pending = new Map(services.map((s) => [s.declaration.name, new Set(dependenciesOf(s.declaration).filter((d) => byName.has(d)))]));
    const ordered: EnvironmentService[] = [];
    while (pending.size > 0) {
        const ready = [...pending.entries()].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort();
        if (ready.length === 0) {
            const cycle = [...pending.keys()].sort();
            issues.push({ path: `services.${cycle[0]}.bindings`, message: `services ${cycle.join(", ")} bind to each other in a cycle; Cloudflare cannot create them` });
            return ordered;
        }
        for (const name of ready) {
            ordered.push(byName.get(name)!);
            pending.delete(name);
            for (const deps of pending.values()) deps.delete(name);
        }
    }
    return ordered;
}
