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
import { ValidationError, renderPath, type ValidationIssue } from "../components/validation";
import type { ServiceSettings } from "../components/service/settings";
import { resolveImports } from "../components/bindings/adoption";
import { deploySafetySettings } from "./deploySafety";
import { NAMESPACE, type StackConfig } from "./config";
import type { ServiceEntry } from "./registry";

/** Cloudflare's limit on script names and R2 bucket names. Source: https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations */
const MAX_NAME_LENGTH = 63;

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

    const resolved: EnvironmentService[] = [];
    const hostnames = new Map<string, string>();
    for (const entry of byName.values()) {
        const settings = mergeSettings(stack, config, entry, issues);
        checkNames(stack, entry, issues);
        checkBindings(entry, byName, issues);
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
    };
}

function checkNames(stack: string, entry: ServiceEntry, issues: ValidationIssue[]): void {
    const decl = entry.declaration;
    const script = scriptNameOf(decl.name, stack);
    if (script.length > MAX_NAME_LENGTH) {
        issues.push({ path: `services.${decl.name}.name`, message: `script name "${script}" is longer than ${MAX_NAME_LENGTH} characters; shorten the service or stack name` });
    }
    for (const [name, binding] of Object.entries(decl.bindings)) {
        const physical = resourceName(script, name);
        if ((binding.kind === "r2" || binding.kind === "d1") && physical.length > MAX_NAME_LENGTH) {
            issues.push({ path: `services.${decl.name}.bindings.${name}`, message: `resource name "${physical}" is longer than ${MAX_NAME_LENGTH} characters; shorten the binding name` });
        }
    }
}

/** A hyperdrive binding needs the stack's database (`platform:database`), which the environment connects. */
function checkDatabase(config: StackConfig, entry: ServiceEntry, issues: ValidationIssue[]): void {
    if (config.database !== undefined) return;
    for (const [name, binding] of Object.entries(entry.declaration.bindings)) {
        if (binding.kind === "hyperdrive") {
            issues.push({ path: `services.${entry.declaration.name}.bindings.${name}`, message: `a hyperdrive binding needs the stack's database; set ${NAMESPACE}:database (see infra/databaseConfig.ts)` });
        }
    }
}

function checkBindings(entry: ServiceEntry, byName: ReadonlyMap<string, ServiceEntry>, issues: ValidationIssue[]): void {
    const decl = entry.declaration;
    for (const [name, binding] of Object.entries(decl.bindings)) {
        if (binding.kind !== "service" && binding.kind !== "durableObject") continue;
        if (binding.service === undefined) continue;
        const target = byName.get(binding.service);
        if (target === undefined) {
            issues.push({ path: `services.${decl.name}.bindings.${name}.service`, message: `no service named "${binding.service}" is declared; declared: ${[...byName.keys()].join(", ")}` });
            continue;
        }
        if (binding.kind === "durableObject") {
            const exported = Object.values(target.declaration.bindings).some((b) => b.kind === "durableObject" && b.service === undefined && b.className === binding.className);
            if (!exported) {
                issues.push({ path: `services.${decl.name}.bindings.${name}.className`, message: `service ${binding.service} does not bind a Durable Object class "${binding.className}" of its own` });
            }
        }
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
                message: `missing; set it with: pulumi config set --secret --path '${NAMESPACE}:secrets.${decl.name}.${name}' <value>`,
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
