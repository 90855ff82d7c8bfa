import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { bundleWorker, uploadFiles, type WorkerBundle } from "./bundle";
import { effectiveWorkerSettings, scriptSettingsArgs } from "../service/workerSettings";
import { publicUrl, workersDevUrl } from "./publicUrl";
import { WORKER_SERVICE_TYPE } from "../typeTokens";
import { bindingKind, type BindingKind, type ResolvedResource } from "../bindings/index";
import { bindingSlug, type ServiceDeclaration } from "../service/declaration";
import { resourceName } from "../service/names";
import { describeEnvContract, type EnvContract } from "../service/envContract";
import { generateWranglerConfig, type GeneratedWranglerConfig } from "../wrangler/generate";
import type { ServiceSettings } from "../service/settings";
import { adoptableKinds, type ResourceImport } from "../bindings/adoption";
import { listWords, renderPath } from "../validation";
import { createD1Migrations, type D1MigrationsByBinding } from "./d1Migrations/serviceD1Migrations";
import { createHealthGate, healthGateUrl } from "./healthGate/serviceHealthGate";
import { firstTrafficShare, type DeploymentSettings } from "./deployment/deploymentSettings";
import type { HealthGate } from "./healthGate/healthGate";
import type { HealthGateSettings } from "./healthGate/healthGateSettings";
import { liveScriptMigrations } from "./deployment/liveMigrations";
import { createVersionedWorker, type VersionedWorker } from "./deployment/versionedWorker";
import { outputRecord } from "./outputRecord";

/**
 * What a {@link WorkerService} knows when it is constructed, as plain values: the component's `url`, `envContract`
 * and `healthCheckPath` outputs hold them, and the environment's summary and the registered outputs use them
 * directly (each Output costs the SDK about 20 promises; bench: memory at 200 services).
 */
export interface WorkerServiceConstants {
    /** Public URL: first custom domain, else first route host, else the workers.dev URL; undefined when unreachable. */
    readonly url: string | undefined;
    /** The env contract in serializable form, for policies. */
    readonly envContract: EnvContract;
    /** Path of the health endpoint (`/health`). */
    readonly healthCheckPath: string;
}

/** Arguments of {@link WorkerService}. */
export interface WorkerServiceArgs {
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: pulumi.Input<string>;
    /** The validated service declaration (`defineService`). */
    readonly declaration: ServiceDeclaration;
    /** Absolute path of the service directory; `declaration.main` and `migrationsDir` resolve from it. */
    readonly root: string;
    /** The service directory relative to the project root, POSIX separators (`services/api`); used in generated wrangler config. */
    readonly serviceDir: string;
    /** Script name in Cloudflare, deterministic per stack (`api-staging`); also the prefix of resource names. */
    readonly scriptName: string;
    /** This stack's settings: routes, custom domains, var values, workers.dev, crons, observability, protect, placement, limits, logpush. */
    readonly settings: ServiceSettings;
    /**
     * Values of the `secret` bindings, by binding name. Must be Pulumi secrets (`config.requireSecret`,
     * `pulumi.secret`); every secret binding needs one.
     * @default {}
     */
    readonly secrets?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Zone that routes and custom domains belong to; required when there are any. */
    readonly zone?: { readonly id: string; readonly name: string };
    /** The account's workers.dev subdomain label (`acme` in `acme.workers.dev`), used for the URL. */
    readonly workersDevSubdomain?: string;
    /**
     * Id of the environment's Hyperdrive configuration (`cloudflare.HyperdriveConfig`); every `hyperdrive`
     * binding binds it. Required when the declaration has one.
     */
    readonly hyperdriveId?: pulumi.Input<string>;
    /** Script name of each declared service this one binds to, by service name. @default {} */
    readonly serviceScripts?: Readonly<Record<string, string>>;
    /**
     * Live resources to adopt instead of creating, by binding name (bindings whose kind has an `adoption`
     * in `components/bindings/`: KV, D1, R2, queues, Workflows, ...). Each child is registered with the
     * `import` resource option set to `id`, the provider's import id in the kind's format
     * (`<account_id>/<namespace_id>` for KV, `<account_id>/<database_id>` for D1,
     * `<account_id>/<bucket_name>/<jurisdiction>` for R2, ...), and with `name` as its physical name (KV
     * title, D1 name, R2 bucket name, ...) so its inputs match the existing resource. Adopted resources are
     * protected in every stack: the engine no longer stops an import whose inputs differ from what exists
     * but updates the resource right after adopting it (pulumi/pulumi#19339), or replaces it when the
     * provider cannot update that input in place. Check a stack's map with `resolveImports`
     * (components/bindings/adoption.ts) first.
     * @default {} (every resource is created and named `<script>-<binding>`)
     * @example imports: { DB: { id: "<account_id>/<database_id>", name: "orders-production" } }
     */
    readonly imports?: Readonly<Record<string, ResourceImport>>;
    /**
     * Health gate run after each deploy (stack config `services.<name>.healthGate`); skipped when the
     * service has no URL. See {@link HealthGate}.
     * @default { enabled: true, timeoutSeconds: 180, intervalSeconds: 5 } and every check the declaration calls for
     */
    readonly healthGate?: HealthGateSettings;
    /**
     * How the code reaches traffic (stack config `services.<name>.deployment`): one `WorkersScript`, or a
     * `Worker` + `WorkerVersion` + `WorkersDeployment` with a gradual split or a rollback. See `deploymentSettings.ts`.
     * @default { strategy: "script" }
     */
    readonly deployment?: DeploymentSettings;
    /**
     * The Worker's code, bundled by {@link bundleService} from `root` and `declaration.main` with the
     * declaration's settings, when the caller bundled it already (the program does, to check the bundle's
     * exports before registering anything: `infra/serviceFiles.ts`).
     * @default bundled here
     */
    readonly bundle?: WorkerBundle;
    /** Adjust a child's args without copying every upstream arg. */
    readonly transform?: {
        /** Applied to the `WorkersScript` args last. */
        readonly script?: (args: cloudflare.WorkersScriptArgs) => cloudflare.WorkersScriptArgs;
    };
}

/**
 * What a {@link WorkerService} registers as its outputs: its state under the engine, what the policy pack reads
 * of the service (`policies/stackView.ts`) and what the offline plan generates each service's wrangler files from
 * (`tools/lib/serviceSummaries.ts`).
 */
export interface WorkerServiceOutputs {
    /** The script name in Cloudflare (`api-staging`). */
    readonly scriptName: string;
    /** {@link WorkerServiceConstants.url}. */
    readonly url: string | undefined;
    /** Every binding with its resolved target. */
    readonly bindings: BindingSummary[];
    /** {@link WorkerServiceConstants.envContract}. */
    readonly envContract: EnvContract;
    /** {@link WorkerServiceConstants.healthCheckPath}. */
    readonly healthCheckPath: string;
    /**
     * The generated wrangler config ({@link GeneratedWranglerConfig}) as JSON text: an artifact the tools read whole,
     * registered as one value instead of one per field (the engine serializes each; bench: 200 services).
     */
    readonly wranglerConfig: string;
}

/** One binding as the outputs summarize it. */
export interface BindingSummary {
    /** Binding (env property) name. */
    readonly name: string;
    readonly kind: BindingKind;
    /** The bound resource: KV namespace id, D1 database id, Hyperdrive config id, R2 bucket name, Durable Object class, service script; absent for vars and secrets. */
    readonly target?: string;
}

/**
 * A Cloudflare Worker and everything its declaration binds: one Workers KV namespace, D1 database and R2
 * bucket per binding (protected when `settings.protect`), the script itself (bundled by esbuild,
 * identified by content SHA-256), its workers.dev subdomain setting, routes, Custom Domains and Cron
 * Triggers. Deploy safety (docs/deploy-safety.md): each d1 binding's migration files are applied before the
 * code (`D1Migrations`); only the Durable Object migration steps after the live script's tag are uploaded;
 * a `HealthGate` fails the update unless the service answers healthy afterwards; and with
 * `deployment.strategy: "versions"` the code goes out as a `Worker` + `WorkerVersion` + `WorkersDeployment`
 * (gradual split, rollback) instead of a `WorkersScript`.
 *
 * @example
 * const api = new WorkerService("api", {
 *   accountId, declaration: apiDeclaration, root: "/repo/services/api", serviceDir: "services/api",
 *   scriptName: "api-staging", settings,
 *   secrets: pulumi.secret({ SIGNING_KEY: "..." }),
 * });
 * export const url = api.url;
 */
export class WorkerService extends pulumi.ComponentResource {
    /** The script name in Cloudflare. */
    declare readonly scriptName: pulumi.Output<string>;
    /** The outputs known when the component is constructed, as plain values (what {@link url}, {@link envContract} and {@link healthCheckPath} hold). */
    declare readonly constants: WorkerServiceConstants;
    /** Every binding with its resolved target. */
    declare readonly bindings: pulumi.Output<BindingSummary[]>;
    /** The wrangler config for local development, with resolved ids and no secret values. */
    declare readonly wranglerConfig: pulumi.Output<GeneratedWranglerConfig>;
    /** The `WorkersScript` child; undefined with `deployment.strategy: "versions"` (see {@link versioned}). */
    declare readonly script: cloudflare.WorkersScript | undefined;
    /** The `Worker`, `WorkerVersion` and `WorkersDeployment` children with `deployment.strategy: "versions"`. */
    declare readonly versioned: VersionedWorker | undefined;
    /** The D1 migration children, by d1 binding name (bindings whose migrations directory exists). */
    declare readonly d1Migrations: D1MigrationsByBinding;
    /** The health gate child; undefined when the gate is disabled or the service has no URL. */
    declare readonly healthGate: HealthGate | undefined;
    /** The resources created per binding (KV namespaces, D1 databases, R2 buckets, queues, ...), by binding name. */
    declare readonly resources: Readonly<Record<string, pulumi.CustomResource>>;

    constructor(name: string, args: WorkerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(WORKER_SERVICE_TYPE, name, {}, opts);
        const { stateful, resolved, own } = createBindingResources(name, args, this);
        const d1Migrations = createD1Migrations(name, args, stateful, this);
        const deployed = createScript(name, args, resolved, own, Object.values(d1Migrations), this);
        const attached = createAttachedResources(name, args, resolved, deployed, this);
        const subdomain = createSubdomain(name, args, deployed, this);
        const routes = createRoutes(name, args, deployed, this);
        createCronTriggers(name, args, deployed, this);
        const healthGate = createHealthGate(name, {
            declaration: args.declaration,
            url: healthGateUrl(args.declaration.health.path, {
                customDomains: args.settings.customDomains,
                routes: args.settings.routes,
                workersDevUrl: workersDevUrl(args.settings, args.scriptName, args.workersDevSubdomain),
            }),
            settings: args.healthGate,
            scriptName: deployed.scriptName,
            versionId: deployed.versioned?.plan.apply((p) => p.gateVersionId),
            trigger: deployed.trigger,
        }, { parent: this, dependsOn: [...deployed.resources, ...attached, ...subdomain, ...routes] });

        const decl = args.declaration;
        this.script = deployed.script;
        this.versioned = deployed.versioned;
        this.d1Migrations = d1Migrations;
        this.healthGate = healthGate;
        this.resources = stateful;
        this.scriptName = deployed.scriptName;
        this.constants = {
            url: publicUrl(args.settings, args.scriptName, args.workersDevSubdomain),
            envContract: describeEnvContract(decl),
            healthCheckPath: decl.health.path,
        };
        this.bindings = resolved.apply((ids) => summarizeBindings(args, ids));
        this.wranglerConfig = resolved.apply((resources) => generateWranglerConfig({
            declaration: decl,
            scriptName: args.scriptName,
            serviceDir: args.serviceDir,
            settings: args.settings,
            zoneId: args.zone?.id,
            resources,
            serviceScripts: args.serviceScripts ?? {},
        }));
        // The constants as plain values: they serialize as their Outputs would, without the SDK's promises per Output.
        const outputs: { readonly [K in keyof WorkerServiceOutputs]: pulumi.Input<WorkerServiceOutputs[K]> } = {
            scriptName: this.scriptName,
            url: this.constants.url,
            bindings: this.bindings,
            envContract: this.constants.envContract,
            healthCheckPath: this.constants.healthCheckPath,
            wranglerConfig: this.wranglerConfig.apply((config) => JSON.stringify(config)),
        };
        this.registerOutputs(outputs);
    }

    /** Public URL: first custom domain, else first route host, else the workers.dev URL; undefined when unreachable. A new Output on each read. */
    get url(): pulumi.Output<string | undefined> {
        return pulumi.output(this.constants.url);
    }

    /** The env contract in serializable form, for policies. A new Output on each read. */
    get envContract(): pulumi.Output<EnvContract> {
        return pulumi.output(this.constants.envContract) as pulumi.Output<unknown> as pulumi.Output<EnvContract>;
    }

    /** Path of the health endpoint (`/health`). A new Output on each read. */
    get healthCheckPath(): pulumi.Output<string> {
        return pulumi.output(this.constants.healthCheckPath);
    }
}

/** Physical name of a per-binding resource: `<script>-<binding>` in lowercase with dashes (`api-staging-files`). */
export { resourceName };

/**
 * Each binding's per-stack resources, through its kind's `resources` (adopted ones with the `import` option),
 * and the ids every binding needs as one Output (unknown during a real preview until the resources exist).
 */
function createBindingResources(name: string, args: WorkerServiceArgs, parent: pulumi.Resource): {
    stateful: Record<string, pulumi.CustomResource>;
    resolved: pulumi.Output<Record<string, ResolvedResource>>;
    own: Readonly<Record<string, pulumi.Input<ResolvedResource>>>;
} {
    for (const binding of Object.keys(args.imports ?? {})) {
        const kind = args.declaration.bindings[binding]?.kind;
        if (kind === undefined || bindingKind(kind).adoption === undefined) {
            throw new Error(`WorkerService ${name}: imports.${binding} is not a ${listWords(adoptableKinds().map(([k]) => k))} binding`);
        }
    }
    const needDatabase = Object.entries(args.declaration.bindings).filter(([, spec]) => bindingKind(spec.kind).needsDatabase === true).map(([b]) => b);
    if (needDatabase.length > 0 && args.hyperdriveId === undefined) {
        throw new Error(`WorkerService ${name}: bindings ${needDatabase.join(", ")} need the environment's database; ` +
            "set platform:database in the stack config");
    }
    const stateful: Record<string, pulumi.CustomResource> = {};
    const inputs: Record<string, pulumi.Input<ResolvedResource>> = {};
    for (const [binding, spec] of Object.entries(args.declaration.bindings)) {
        const create = bindingKind(spec.kind).resources;
        if (create === undefined) continue;
        // An adopted resource keeps its existing name, so its inputs match what the import reads.
        const adopted = args.imports?.[binding];
        const created = create(spec, {
            name: `${name}-${bindingSlug(binding)}`,
            physicalName: adopted?.name ?? bindingKind(spec.kind).physicalName?.of(spec, args.scriptName) ?? resourceName(args.scriptName, binding),
            accountId: args.accountId,
            opts: { parent, ...dataOptions(args, binding) },
            ...(args.hyperdriveId === undefined ? {} : { hyperdriveId: args.hyperdriveId }),
            cloudflare,
            pulumi,
        });
        if (created === undefined) continue; // nothing of its own (a kv binding sharing another's namespace)
        if (created.resource !== undefined) stateful[binding] = created.resource;
        inputs[binding] = created.resolved;
    }
    return { stateful, resolved: outputRecord(Object.entries(inputs)), own: inputs };
}

/** What the Worker upload produced: a `WorkersScript`, or a versioned Worker. */
interface Deployed {
    /** The script name, as an output of the resource that creates it. */
    readonly scriptName: pulumi.Output<string>;
    readonly script?: cloudflare.WorkersScript;
    readonly versioned?: VersionedWorker;
    /** What routes, domains, crons and the health gate must wait for. */
    readonly resources: pulumi.Resource[];
    /** Changes whenever the code or its settings reach traffic again (re-runs the health gate). */
    readonly trigger: pulumi.Output<string>;
}

function createScript(
    name: string,
    args: WorkerServiceArgs,
    resolved: pulumi.Output<Record<string, ResolvedResource>>,
    own: Readonly<Record<string, pulumi.Input<ResolvedResource>>>,
    dependsOn: pulumi.Resource[],
    parent: pulumi.Resource,
): Deployed {
    const decl = args.declaration;
    const settings = effectiveWorkerSettings(decl, args.settings);
    const bundle = args.bundle ?? bundleService(args);
    // Secret once here: what each secret binding applies to it stays secret, without a `pulumi.secret` per binding
    // (each wraps its Output again; bench: memory at 200 services).
    const secrets = pulumi.secret(args.secrets ?? {});
    const services = args.serviceScripts ?? {};
    const bindings = Object.entries(decl.bindings).flatMap(([bindingName, spec]) => {
        const binding = bindingKind(spec.kind).scriptBinding(spec, {
            name: bindingName,
            service: decl.name,
            // Created when a kind reads it: most kinds (vars, secrets, services, Durable Objects) never do, and each
            // Output costs the SDK several promises (bench: memory at 200 services). The binding's own Output when it
            // has one (no `apply` over the record): every kind that creates resources reads them here, so the script's
            // `bindings` still depend on each binding's resources.
            get resolved() { return ownResolved(own, bindingName) ?? resolved.apply((r) => r[bindingName]); },
            resolvedOf: (other) => resolved.apply((r) => r[other]),
            scriptOf: (service) => requireScript(services, service),
            varValue: (key) => args.settings.vars[key],
            secretValue: (key) => secrets.apply((s) => requireSecret(s, key, decl.name)),
        });
        return binding === undefined ? [] : [binding];
    });
    const versions = args.deployment?.strategy === "versions" ? args.deployment : undefined;
    // Only the steps after the live script's migration tag (all of them on a first deploy).
    const migrations = liveScriptMigrations({
        accountId: args.accountId,
        scriptName: args.scriptName,
        history: decl.durableObjectMigrations,
        percentage: firstTrafficShare(versions),
        logResource: parent,
    });
    const scriptArgs: cloudflare.WorkersScriptArgs = {
        accountId: args.accountId,
        scriptName: args.scriptName,
        content: bundle.content,
        contentSha256: bundle.sha256,
        mainModule: bundle.mainModule,
        compatibilityDate: decl.compatibilityDate,
        compatibilityFlags: [...decl.compatibilityFlags],
        bindings,
        observability: {
            enabled: args.settings.observability.enabled,
            headSamplingRate: args.settings.observability.headSamplingRate,
            logs: { enabled: args.settings.observability.enabled, invocationLogs: true, headSamplingRate: args.settings.observability.headSamplingRate },
        },
        ...(migrations === undefined ? {} : { migrations }),
        // placement, limits, logpush, keepBindings, tailConsumers (components/service/workerSettings.ts)
        ...scriptSettingsArgs(settings, (service) => requireScript(services, service)),
        ...(bundle.modules.length === 0 ? {} : { files: uploadFiles(bundle.modules) }),
        ...Object.assign({}, ...Object.entries(decl.bindings).map(([bindingName, spec]) =>
            bindingKind(spec.kind).scriptSettings?.(spec, {
                name: bindingName,
                root: args.root,
                at: (...path) => renderPath(`services.${decl.name}`, ["bindings", bindingName, ...path]),
            }) ?? {})),
    };
    const finalArgs = args.transform?.script?.(scriptArgs) ?? scriptArgs;
    if (versions !== undefined) {
        const versioned = createVersionedWorker(name, {
            scriptArgs: finalArgs,
            settings: versions,
            workersDev: args.settings.workersDev,
            service: { name: decl.name, version: decl.version },
            dependsOn,
        }, parent);
        return {
            scriptName: versioned.worker.name,
            versioned,
            resources: [versioned.deployment],
            trigger: pulumi.all([versioned.deployment.id, versioned.deployment.versions]).apply((parts) => JSON.stringify(parts)),
        };
    }
    const script = new cloudflare.WorkersScript(`${name}-script`, finalArgs, { parent, dependsOn });
    return { scriptName: script.scriptName, script, resources: [script], trigger: pulumi.all([script.modifiedOn]).apply((parts) => JSON.stringify(parts)) };
}

/**
 * Bundles a service's entry module (`declaration.main` in `root`) as its Worker is uploaded: minified unless
 * the declaration says otherwise, with its module rules (`components/service/workerSettings.ts`).
 * @throws {BundleError} when esbuild cannot bundle it.
 */
export function bundleService(args: Pick<WorkerServiceArgs, "root" | "declaration" | "settings">): WorkerBundle {
    const settings = effectiveWorkerSettings(args.declaration, args.settings);
    return bundleWorker(args.root, args.declaration.main, { minify: settings.minify, moduleRules: settings.moduleRules });
}

/** What bindings attach to the deployed script through their kind's `afterDeploy` (queue consumers). */
function createAttachedResources(
    name: string,
    args: WorkerServiceArgs,
    resolved: pulumi.Output<Record<string, ResolvedResource>>,
    deployed: Deployed,
    parent: pulumi.Resource,
): pulumi.Resource[] {
    const services = args.serviceScripts ?? {};
    return Object.entries(args.declaration.bindings).flatMap(([binding, spec]) => bindingKind(spec.kind).afterDeploy?.(spec, {
        name: binding,
        childName: `${name}-${bindingSlug(binding)}`,
        accountId: args.accountId,
        scriptName: deployed.scriptName,
        get resolved() { return resolved.apply((r) => r[binding]); },
        resolvedOf: (other) => resolved.apply((r) => r[other]),
        scriptOf: (service) => requireScript(services, service),
        opts: { parent, dependsOn: deployed.resources },
        dataOpts: { parent, dependsOn: deployed.resources, ...dataOptions(args, binding) },
        cloudflare,
        pulumi,
    }) ?? []);
}

/**
 * `protect` and, when the stack adopts the binding's resource, `import`, for a resource holding the binding's data.
 * Adopted resources are always protected: their data predates the stack, and the engine reconciles an adopted
 * resource's inputs right after the import, so a wrong name could otherwise replace it.
 */
function dataOptions(args: WorkerServiceArgs, binding: string): pulumi.CustomResourceOptions {
    const adopted = args.imports?.[binding];
    return adopted === undefined ? { protect: args.settings.protect } : { protect: true, import: adopted.id };
}

function createSubdomain(name: string, args: WorkerServiceArgs, deployed: Deployed, parent: pulumi.Resource): pulumi.CustomResource[] {
    // A versioned Worker carries its workers.dev setting itself (`subdomain` of cloudflare.Worker).
    if (deployed.versioned !== undefined) return [];
    // Declared even when disabled: uploads through the API may leave workers.dev on, so say it explicitly.
    return [new cloudflare.WorkersScriptSubdomain(`${name}-subdomain`, {
        accountId: args.accountId,
        scriptName: deployed.scriptName,
        enabled: args.settings.workersDev,
        previewsEnabled: false,
    }, { parent, dependsOn: deployed.resources })];
}

function createRoutes(name: string, args: WorkerServiceArgs, deployed: Deployed, parent: pulumi.Resource): pulumi.CustomResource[] {
    const { routes, customDomains } = args.settings;
    if ((routes.length > 0 || customDomains.length > 0) && args.zone === undefined) {
        throw new Error(`WorkerService ${name}: routes and custom domains need a zone`);
    }
    const created: pulumi.CustomResource[] = [];
    for (const pattern of routes) {
        created.push(new cloudflare.WorkersRoute(`${name}-route-${slug(pattern)}`, {
            zoneId: args.zone!.id, pattern, script: deployed.scriptName,
        }, { parent, dependsOn: deployed.resources }));
    }
    for (const hostname of customDomains) {
        created.push(new cloudflare.WorkersCustomDomain(`${name}-domain-${slug(hostname)}`, {
            accountId: args.accountId, hostname, service: deployed.scriptName, zoneId: args.zone!.id,
        }, { parent, dependsOn: deployed.resources }));
    }
    return created;
}

function createCronTriggers(name: string, args: WorkerServiceArgs, deployed: Deployed, parent: pulumi.Resource): void {
    if (args.settings.crons.length === 0) return;
    new cloudflare.WorkersCronTrigger(`${name}-crons`, {
        accountId: args.accountId,
        scriptName: deployed.scriptName,
        schedules: args.settings.crons.map((cron) => ({ cron })),
    }, { parent, dependsOn: deployed.resources });
}

/** The Output a binding's own resources resolved to (`resources` of its kind), if it is one. */
function ownResolved(own: Readonly<Record<string, pulumi.Input<ResolvedResource>>>, binding: string): pulumi.Output<ResolvedResource> | undefined {
    const resolved = own[binding];
    return pulumi.Output.isInstance(resolved) ? resolved as pulumi.Output<ResolvedResource> : undefined;
}

function summarizeBindings(args: WorkerServiceArgs, ids: Record<string, ResolvedResource>): BindingSummary[] {
    const scriptOf = (service: string) => requireScript(args.serviceScripts ?? {}, service);
    return Object.entries(args.declaration.bindings).map(([name, spec]): BindingSummary => {
        const target = bindingKind(spec.kind).summary?.(spec, ids[name], scriptOf);
        return target === undefined ? { name, kind: spec.kind } : { name, kind: spec.kind, target };
    });
}

function requireScript(scripts: Readonly<Record<string, string>>, service: string): string {
    const script = scripts[service];
    if (script === undefined) throw new Error(`no script name was given for bound service "${service}"`);
    return script;
}

function requireSecret(values: Record<string, string>, binding: string, service: string): string {
    const value = values[binding];
    if (value === undefined) throw new Error(`service ${service}: no value for secret binding ${binding}`);
    return value;
}

/** A resource-name-safe form of a route pattern or hostname: `api.example.com/*` → `api-example-com`. */
function slug(text: string): string {
    return text.replace(/\*/g, "star").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase();
}
