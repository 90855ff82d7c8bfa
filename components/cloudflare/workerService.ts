import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { bundleWorker } from "./bundle";
import { WORKER_SERVICE_TYPE } from "../typeTokens";
import { bindingSlug, type ServiceDeclaration, type BindingKind } from "../service/declaration";
import { describeEnvContract, type EnvContract } from "../service/envContract";
import { generateWranglerConfig, type GeneratedWranglerConfig, type ResolvedResource, type ServiceSettings } from "../wrangler/generate";

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
    /** This stack's settings: routes, custom domains, var values, workers.dev, crons, observability, protect. */
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
    /** Script name of each declared service this one binds to, by service name. @default {} */
    readonly serviceScripts?: Readonly<Record<string, string>>;
    /** Adjust a child's args without copying every upstream arg. */
    readonly transform?: {
        /** Applied to the `WorkersScript` args last. */
        readonly script?: (args: cloudflare.WorkersScriptArgs) => cloudflare.WorkersScriptArgs;
    };
}

/** One binding as the outputs summarize it. */
export interface BindingSummary {
    /** Binding (env property) name. */
    readonly name: string;
    readonly kind: BindingKind;
    /** The bound resource: KV namespace id, D1 database id, R2 bucket name, Durable Object class, service script; absent for vars and secrets. */
    readonly target?: string;
}

/**
 * A Cloudflare Worker and everything its declaration binds: one Workers KV namespace, D1 database and R2
 * bucket per binding (protected when `settings.protect`), the script itself (bundled by esbuild,
 * identified by content SHA-256), its workers.dev subdomain setting, routes, Custom Domains and Cron
 * Triggers.
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
    /** Public URL: first custom domain, else first route host, else the workers.dev URL; undefined when unreachable. */
    declare readonly url: pulumi.Output<string | undefined>;
    /** Every binding with its resolved target. */
    declare readonly bindings: pulumi.Output<BindingSummary[]>;
    /** The env contract in serializable form, for policies. */
    declare readonly envContract: pulumi.Output<EnvContract>;
    /** Path of the health endpoint (`/health`). */
    declare readonly healthCheckPath: pulumi.Output<string>;
    /** The wrangler config for local development, with resolved ids and no secret values. */
    declare readonly wranglerConfig: pulumi.Output<GeneratedWranglerConfig>;
    /** The `WorkersScript` child. */
    declare readonly script: cloudflare.WorkersScript;
    /** Stateful children by binding name. */
    declare readonly resources: Readonly<Record<string, cloudflare.WorkersKvNamespace | cloudflare.D1Database | cloudflare.R2Bucket>>;

    constructor(name: string, args: WorkerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(WORKER_SERVICE_TYPE, name, {}, opts);
        const stateful = createStatefulResources(name, args, this);
        const resolved = resolveResources(stateful);
        const script = createScript(name, args, resolved, this);
        createSubdomain(name, args, script, this);
        createRoutes(name, args, script, this);
        createCronTriggers(name, args, script, this);

        const decl = args.declaration;
        this.script = script;
        this.resources = stateful;
        this.scriptName = script.scriptName;
        this.url = pulumi.output(publicUrl(args));
        this.bindings = resolved.apply((ids) => summarizeBindings(args, ids));
        this.envContract = pulumi.output(describeEnvContract(decl)) as pulumi.Output<unknown> as pulumi.Output<EnvContract>;
        this.healthCheckPath = pulumi.output(decl.health.path);
        this.wranglerConfig = resolved.apply((resources) => generateWranglerConfig({
            declaration: decl,
            scriptName: args.scriptName,
            serviceDir: args.serviceDir,
            settings: args.settings,
            zoneId: args.zone?.id,
            resources,
            serviceScripts: args.serviceScripts ?? {},
        }));
        this.registerOutputs({
            scriptName: this.scriptName,
            url: this.url,
            bindings: this.bindings,
            envContract: this.envContract,
            healthCheckPath: this.healthCheckPath,
        });
    }
}

type StatefulResource = cloudflare.WorkersKvNamespace | cloudflare.D1Database | cloudflare.R2Bucket;

/** Physical name of a per-binding resource: `<script>-<binding>` in lowercase with dashes (`api-staging-files`). */
export function resourceName(scriptName: string, binding: string): string {
    return `${scriptName}-${bindingSlug(binding)}`;
}

function createStatefulResources(name: string, args: WorkerServiceArgs, parent: pulumi.Resource): Record<string, StatefulResource> {
    const opts: pulumi.CustomResourceOptions = { parent, protect: args.settings.protect };
    const out: Record<string, StatefulResource> = {};
    for (const [binding, spec] of Object.entries(args.declaration.bindings)) {
        const child = `${name}-${bindingSlug(binding)}`;
        const physical = resourceName(args.scriptName, binding);
        if (spec.kind === "kv") {
            out[binding] = new cloudflare.WorkersKvNamespace(child, { accountId: args.accountId, title: physical }, opts);
        } else if (spec.kind === "d1") {
            out[binding] = new cloudflare.D1Database(child, { accountId: args.accountId, name: physical }, opts);
        } else if (spec.kind === "r2") {
            out[binding] = new cloudflare.R2Bucket(child, {
                accountId: args.accountId,
                name: physical,
                ...(spec.location === undefined ? {} : { location: spec.location }),
                ...(spec.jurisdiction === undefined ? {} : { jurisdiction: spec.jurisdiction }),
            }, opts);
        }
    }
    return out;
}

/** The ids bindings need, as one Output (unknown during a real preview until the resources exist). */
function resolveResources(stateful: Record<string, StatefulResource>): pulumi.Output<Record<string, ResolvedResource>> {
    const entries = Object.entries(stateful).map(([binding, res]) => {
        if (res instanceof cloudflare.WorkersKvNamespace) {
            return res.id.apply((id): [string, ResolvedResource] => [binding, { kind: "kv", id }]);
        }
        if (res instanceof cloudflare.D1Database) {
            return pulumi.all([res.id, res.name]).apply(([id, dbName]): [string, ResolvedResource] => [binding, { kind: "d1", id, name: dbName }]);
        }
        return res.name.apply((bucketName): [string, ResolvedResource] => [binding, { kind: "r2", bucketName }]);
    });
    return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs));
}

function createScript(
    name: string,
    args: WorkerServiceArgs,
    resolved: pulumi.Output<Record<string, ResolvedResource>>,
    parent: pulumi.Resource,
): cloudflare.WorkersScript {
    const decl = args.declaration;
    const bundle = bundleWorker(args.root, decl.main);
    const secrets = pulumi.output(args.secrets ?? {});
    const bindings = Object.entries(decl.bindings).map(([bindingName, spec]): pulumi.Input<cloudflare.types.input.WorkersScriptBinding> => {
        const services = args.serviceScripts ?? {};
        switch (spec.kind) {
            case "kv":
                return { name: bindingName, type: "kv_namespace", namespaceId: resolved.apply((r) => (r[bindingName] as { id: string }).id) };
            case "d1":
                return { name: bindingName, type: "d1", id: resolved.apply((r) => (r[bindingName] as { id: string }).id) };
            case "r2":
                return {
                    name: bindingName,
                    type: "r2_bucket",
                    bucketName: resolved.apply((r) => (r[bindingName] as { bucketName: string }).bucketName),
                    ...(spec.jurisdiction === undefined ? {} : { jurisdiction: spec.jurisdiction }),
                };
            case "durableObject":
                return spec.service === undefined
                    ? { name: bindingName, type: "durable_object_namespace", className: spec.className }
                    : { name: bindingName, type: "durable_object_namespace", className: spec.className, scriptName: requireScript(services, spec.service) };
            case "service":
                return spec.entrypoint === undefined
                    ? { name: bindingName, type: "service", service: requireScript(services, spec.service) }
                    : { name: bindingName, type: "service", service: requireScript(services, spec.service), entrypoint: spec.entrypoint };
            case "var":
                return { name: bindingName, type: "plain_text", text: args.settings.vars[bindingName] ?? spec.value };
            case "secret":
                return { name: bindingName, type: "secret_text", text: pulumi.secret(secrets.apply((s) => requireSecret(s, bindingName, decl.name))) };
        }
    });
    const history = decl.durableObjectMigrations;
    const lastTag = history[history.length - 1]?.tag;
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
        // First deploy: the whole history at once, ending at the last tag. Later deploys must upload only
        // the steps after the live tag; that is the Durable Object migration resource's job.
        ...(lastTag === undefined ? {} : {
            migrations: { newTag: lastTag, steps: history.map(toProviderStep) },
        }),
    };
    return new cloudflare.WorkersScript(`${name}-script`, args.transform?.script?.(scriptArgs) ?? scriptArgs, { parent });
}

function toProviderStep(step: ServiceDeclaration["durableObjectMigrations"][number]): cloudflare.types.input.WorkersScriptMigrationsStep {
    return {
        ...(step.newClasses?.length ? { newClasses: step.newClasses } : {}),
        ...(step.newSqliteClasses?.length ? { newSqliteClasses: step.newSqliteClasses } : {}),
        ...(step.renamedClasses?.length ? { renamedClasses: step.renamedClasses } : {}),
        ...(step.deletedClasses?.length ? { deletedClasses: step.deletedClasses } : {}),
        ...(step.transferredClasses?.length ? { transferredClasses: step.transferredClasses } : {}),
    };
}

function createSubdomain(name: string, args: WorkerServiceArgs, script: cloudflare.WorkersScript, parent: pulumi.Resource): void {
    // Declared even when disabled: uploads through the API may leave workers.dev on, so say it explicitly.
    new cloudflare.WorkersScriptSubdomain(`${name}-subdomain`, {
        accountId: args.accountId,
        scriptName: script.scriptName,
        enabled: args.settings.workersDev,
        previewsEnabled: false,
    }, { parent });
}

function createRoutes(name: string, args: WorkerServiceArgs, script: cloudflare.WorkersScript, parent: pulumi.Resource): void {
    const { routes, customDomains } = args.settings;
    if ((routes.length > 0 || customDomains.length > 0) && args.zone === undefined) {
        throw new Error(`WorkerService ${name}: routes and custom domains need a zone`);
    }
    for (const pattern of routes) {
        new cloudflare.WorkersRoute(`${name}-route-${slug(pattern)}`, { zoneId: args.zone!.id, pattern, script: script.scriptName }, { parent });
    }
    for (const hostname of customDomains) {
        new cloudflare.WorkersCustomDomain(`${name}-domain-${slug(hostname)}`, {
            accountId: args.accountId, hostname, service: script.scriptName, zoneId: args.zone!.id,
        }, { parent });
    }
}

function createCronTriggers(name: string, args: WorkerServiceArgs, script: cloudflare.WorkersScript, parent: pulumi.Resource): void {
    if (args.settings.crons.length === 0) return;
    new cloudflare.WorkersCronTrigger(`${name}-crons`, {
        accountId: args.accountId,
        scriptName: script.scriptName,
        schedules: args.settings.crons.map((cron) => ({ cron })),
    }, { parent });
}

/** The URL a client reaches the Worker at, or undefined when it has no route, domain or workers.dev. */
function publicUrl(args: WorkerServiceArgs): string | undefined {
    const { customDomains, routes, workersDev } = args.settings;
    if (customDomains[0] !== undefined) return `https://${customDomains[0]}`;
    const host = routes[0]?.split("/")[0];
    if (host !== undefined && !host.includes("*")) return `https://${host}`;
    if (workersDev && args.workersDevSubdomain !== undefined) return `https://${args.scriptName}.${args.workersDevSubdomain}.workers.dev`;
    return undefined;
}

function summarizeBindings(args: WorkerServiceArgs, ids: Record<string, ResolvedResource>): BindingSummary[] {
    return Object.entries(args.declaration.bindings).map(([name, spec]): BindingSummary => {
        const resolved = ids[name];
        switch (spec.kind) {
            case "kv":
            case "d1":
                return { name, kind: spec.kind, target: (resolved as { id: string }).id };
            case "r2":
                return { name, kind: spec.kind, target: (resolved as { bucketName: string }).bucketName };
            case "durableObject":
                return { name, kind: spec.kind, target: spec.className };
            case "service":
                return { name, kind: spec.kind, target: requireScript(args.serviceScripts ?? {}, spec.service) };
            default:
                return { name, kind: spec.kind };
        }
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
