/**
 * Policies on Workers: health checks, env contracts, compatibility dates, observability, exposure and
 * Durable Object storage. Each holds for every way a Worker is deployed: stack policies go through the
 * stack view's one "worker" shape (stackView.ts), resource policies check a `WorkersScript` and the
 * `Worker` / `WorkerVersion` that share its fields. Messages name the stack they check (from the URN).
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { BINDING_KINDS } from "../components/bindings/index";
import type { EnvContract } from "../components/service/envContract";
import { inStack, known, onWorkerResources, WORKER_CODE, WORKER_SETTINGS, workerLabel, workers } from "./stackView";

type Binding = { name?: string; type?: string };

/** Binding `type` values that can provide a kind of env contract key (the binding table's policy view). */
function bindingTypesOf(kind: string): readonly string[] {
    return BINDING_KINDS.find((k) => k.kind === kind)?.policy.scriptBindingTypes ?? [];
}

/** Every Worker (script or versioned) belongs to a WorkerService that declares a health check path. */
export const workerHealthCheck: StackValidationPolicy = {
    name: "worker-health-check",
    description: "Checks that every Worker, deployed as a script or as versions, belongs to a WorkerService that declares a health check path.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["reliability"],
    remediationSteps: "Declare the Worker with defineService (health.path defaults to /health), deploy it through WorkerService, " +
        "and serve the endpoint with createHealthHandler from components/health.",
    validateStack: (args, reportViolation) => {
        for (const view of workers(args.resources)) {
            const path = view.service?.props.healthCheckPath;
            if (view.service === undefined) {
                reportViolation(`Worker ${workerLabel(view)} is not declared through a WorkerService, so it has no health check.`, view.resource.urn);
            } else if (typeof path !== "string" || !path.startsWith("/")) {
                reportViolation(`Worker ${workerLabel(view)} must declare a health check path (health.path), got ${JSON.stringify(path ?? null)}.`, view.resource.urn);
            }
        }
    },
};

/** Every env contract key is bound with the right kind, and no plain variable is bound outside the contract. */
export const envContractBindings: StackValidationPolicy = {
    name: "env-contract-bindings",
    description: "Checks that every key of a service's env contract is provided by a binding of the right kind and that no plain variable is bound outside the contract.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["configuration"],
    remediationSteps: "Make the bindings in services/<name>/service.ts match the env contract: secret keys as { kind: \"secret\" }, " +
        "plain values as { kind: \"var\" }, resources with their binding kind; add any extra variable to the contract or remove it.",
    validateStack: (args, reportViolation) => {
        for (const view of workers(args.resources)) {
            const contract = view.service?.props.envContract as EnvContract | undefined;
            if (contract === undefined || !Array.isArray(contract.keys)) continue;
            // The script's bindings, or each version's: every version in the stack must meet the contract.
            for (const code of view.code) {
                const bindings = known(() => code.props.bindings) as Binding[] | undefined;
                if (!Array.isArray(bindings)) continue;
                const report = (message: string) => reportViolation(`Worker ${workerLabel(view)} ${message}`, code.urn);
                const byName = new Map(bindings.map((b) => [b.name, b]));
                for (const key of contract.keys) {
                    const binding = byName.get(key.name);
                    const allowed = bindingTypesOf(key.kind);
                    if (binding === undefined) {
                        if (!key.optional) report(`has no binding for env contract key ${key.name}; bind it as ${allowed.join(" or ")}.`);
                    } else if (binding.type !== undefined && !allowed.includes(binding.type)) {
                        report(`binds env contract key ${key.name} as ${binding.type}; its contract kind ${key.kind} needs ${allowed.join(" or ")}.`);
                    }
                }
                const keys = new Set(contract.keys.map((k) => k.name));
                for (const binding of bindings) {
                    if ((binding.type === "plain_text" || binding.type === "json") && binding.name !== undefined && !keys.has(binding.name)) {
                        report(`binds variable ${binding.name}, which its env contract does not declare.`);
                    }
                }
            }
        }
    },
};

/** Settings of {@link compatibilityDateCurrent}. */
export interface CompatibilityDateConfig {
    /** Oldest acceptable compatibility date, in days before today (UTC). @default 365 */
    readonly maxAgeDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The compatibility date is set, real, not in the future and not older than `maxAgeDays`. */
export const compatibilityDateCurrent: ResourceValidationPolicy = {
    name: "compatibility-date-current",
    description: "Checks that a Worker's compatibility date (of its script or of each version) is present, not in the future, and not older than the configured age.",
    severity: "low",
    enforcementLevel: "advisory",
    tags: ["maintenance"],
    url: "https://developers.cloudflare.com/workers/configuration/compatibility-dates/",
    remediationSteps: "Set compatibilityDate in the service declaration to a recent date (YYYY-MM-DD), read the compatibility " +
        "flags changelog for behaviour changes since the old date, and run the tests on workerd.",
    configSchema: {
        properties: { maxAgeDays: { type: "integer", minimum: 1, default: 365, description: "Oldest acceptable date, in days before today." } },
    },
    validateResource: onWorkerResources<{ compatibilityDate?: string }>(WORKER_CODE, ({ compatibilityDate: date }, { subject }, args, reportViolation) => {
        const { maxAgeDays } = args.getConfig<CompatibilityDateConfig>();
        if (typeof date !== "string" || date === "") {
            reportViolation(`${subject} must set a compatibility date.`);
            return;
        }
        const time = Date.parse(`${date}T00:00:00Z`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(time)) {
            reportViolation(`${subject} has compatibility date "${date}", which is not a YYYY-MM-DD date.`);
            return;
        }
        const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
        if (time > today) {
            reportViolation(`${subject} has compatibility date ${date}, which is in the future.`);
        } else if (today - time > maxAgeDays * DAY_MS) {
            reportViolation(`${subject} has compatibility date ${date}, older than ${maxAgeDays} days.`);
        }
    }),
};

/** Workers Logs are on. */
export const observabilityEnabled: ResourceValidationPolicy = {
    name: "observability-enabled",
    description: "Checks that a Worker (its script, or the Worker of its versions) has Workers Logs (observability) enabled.",
    severity: "medium",
    enforcementLevel: "advisory",
    tags: ["operations"],
    url: "https://developers.cloudflare.com/workers/observability/logs/workers-logs/",
    remediationSteps: "Set observability: { enabled: true } in the service declaration or in platform:services.<name>.observability.",
    validateResource: onWorkerResources<{ observability?: { enabled?: boolean } }>(WORKER_SETTINGS, ({ observability }, { subject, where }, _args, reportViolation) => {
        if (observability?.enabled !== true) {
            reportViolation(`${subject} must have observability enabled${where}.`);
        }
    }),
};

/** workers.dev is explicitly disabled for every Worker. */
export const workersDevDisabled: StackValidationPolicy = {
    name: "workers-dev-disabled",
    description: "Checks that every Worker has its workers.dev subdomain explicitly disabled (WorkersScriptSubdomain, or the Worker's subdomain).",
    severity: "medium",
    enforcementLevel: "advisory",
    tags: ["security"],
    url: "https://developers.cloudflare.com/workers/configuration/routing/workers-dev/",
    remediationSteps: "Set workersDev: false for the service in the stack's Pulumi.<stack>.yaml (platform:services.<name>.workersDev) " +
        "and serve it on a route or custom domain.",
    validateStack: (args, reportViolation) => {
        for (const view of workers(args.resources)) {
            const where = inStack(view.resource.urn);
            if (view.workersDev.length === 0) {
                reportViolation(`Worker ${workerLabel(view)} must declare its workers.dev subdomain as disabled${where}; none is declared.`, view.resource.urn);
            }
            for (const setting of view.workersDev.filter((s) => s.enabled !== false)) {
                reportViolation(`Worker ${workerLabel(view)} must have workers.dev disabled${where}.`, setting.resource.urn);
            }
        }
    },
};

/** Every Worker is reachable through a route or a Custom Domain. */
export const workerRouted: StackValidationPolicy = {
    name: "worker-routed",
    description: "Checks that every Worker is reachable through a route or a Custom Domain on the stack's zone.",
    severity: "medium",
    enforcementLevel: "advisory",
    tags: ["reliability"],
    url: "https://developers.cloudflare.com/workers/configuration/routing/",
    remediationSteps: "Add routes or customDomains for the service in the stack's Pulumi.<stack>.yaml (platform:services.<name>).",
    validateStack: (args, reportViolation) => {
        const targets = new Set<unknown>();
        for (const r of args.resources) {
            if (r.isType(cloudflare.WorkersRoute)) targets.add(known(() => r.props.script));
            if (r.isType(cloudflare.WorkersCustomDomain)) targets.add(known(() => r.props.service));
        }
        for (const view of workers(args.resources)) {
            if (view.scriptName !== undefined && !targets.has(view.scriptName)) {
                reportViolation(`Worker ${workerLabel(view)} must be reachable through a route or custom domain${inStack(view.resource.urn)}.`, view.resource.urn);
            }
        }
    },
};

/** Durable Object classes created by a migration use SQLite storage. */
export const durableObjectsSqlite: ResourceValidationPolicy = {
    name: "durable-objects-sqlite",
    description: "Checks that Durable Object classes created by a migration (of a script or a version) use SQLite storage (new_sqlite_classes).",
    severity: "low",
    enforcementLevel: "advisory",
    tags: ["durability"],
    url: "https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/",
    remediationSteps: "Create new classes with newSqliteClasses instead of newClasses in durableObjectMigrations; " +
        "existing key-value classes cannot be converted, so only new steps need changing.",
    validateResource: onWorkerResources<{ migrations?: DurableObjectMigrations }>(WORKER_CODE, ({ migrations }, { subject }, _args, reportViolation) => {
        const steps = [migrations ?? {}, ...(migrations?.steps ?? [])];
        const legacy = steps.flatMap((s) => s.newClasses ?? []);
        if (legacy.length > 0) {
            reportViolation(`${subject} creates Durable Object classes ${legacy.join(", ")} with key-value storage; use newSqliteClasses.`);
        }
    }),
};

/** The migrations fields this pack reads, the same on `WorkersScript` and `WorkerVersion`. */
type DurableObjectMigrations = { newClasses?: string[]; steps?: { newClasses?: string[] }[] };

/** The Worker policies, in report order. */
export const workerPolicies = [
    workerHealthCheck, envContractBindings, compatibilityDateCurrent, observabilityEnabled, workersDevDisabled, workerRouted, durableObjectsSqlite,
];
