import * as pulumi from "@pulumi/pulumi";
import { bindingKind } from "../bindings/index";
import { effectiveWorkerSettings } from "../service/workerSettings";
import type { ServiceDeclaration } from "../service/declaration";
import { ENVIRONMENT_TYPE } from "../typeTokens";
import type { ServiceSettings } from "../service/settings";
import { WorkerService } from "./workerService";
import type { WorkerBundle } from "./bundle";
import type { ResourceImport } from "../bindings/adoption";
import type { DeploymentSettings } from "./deployment/deploymentSettings";
import type { HealthGateSettings } from "./healthGate/healthGateSettings";
import { createHyperdriveConfig, type PostgresConnection } from "./hyperdrive";
import { scriptNameOf } from "../stackName";
import type * as cloudflare from "@pulumi/cloudflare";

/** One service of an environment, resolved against the stack's config. */
export interface EnvironmentService {
    readonly declaration: ServiceDeclaration;
    /** Absolute path of the service directory. */
    readonly root: string;
    /** The service directory relative to the project root, POSIX separators. */
    readonly serviceDir: string;
    /** This stack's settings for the service. */
    readonly settings: ServiceSettings;
    /** Secret binding values by binding name; Pulumi secrets. @default {} */
    readonly secrets?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Live resources to adopt, by kv/d1/r2 binding name (see `WorkerServiceArgs.imports`). @default {} */
    readonly imports?: Readonly<Record<string, ResourceImport>>;
    /** Health gate settings (see `WorkerServiceArgs.healthGate`). @default enabled with defaults */
    readonly healthGate?: HealthGateSettings;
    /** Deployment strategy (see `WorkerServiceArgs.deployment`). @default { strategy: "script" } */
    readonly deployment?: DeploymentSettings;
    /** The Worker's code, already bundled (see `WorkerServiceArgs.bundle`). @default bundled by the WorkerService */
    readonly bundle?: WorkerBundle;
}

/** Arguments of {@link Environment}. */
export interface EnvironmentArgs {
    /** Stack (environment) name: `staging`, `production`, `pr-42`. Suffix of every script name. */
    readonly stack: string;
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: pulumi.Input<string>;
    /** Zone for routes and custom domains. */
    readonly zone?: { readonly id: string; readonly name: string };
    /** The account's workers.dev subdomain label. */
    readonly workersDevSubdomain?: string;
    /**
     * The services, in an order where every service comes after the services it binds to
     * (see `orderByDependencies`); a service binding to one not listed earlier is an error.
     */
    readonly services: readonly EnvironmentService[];
    /**
     * The environment's PostgreSQL (its Neon branch): one `cloudflare.HyperdriveConfig` named
     * `<stack>-postgres` is created from it, and every `hyperdrive` binding binds that. Required when a
     * service has a hyperdrive binding.
     * @default none
     */
    readonly database?: {
        readonly connection: PostgresConnection;
        /** Protect the Hyperdrive configuration from deletion. @default false */
        readonly protect?: boolean;
    };
}

/**
 * What the environment exports per service (the `services` stack output): where it runs. The rest of what a
 * service resolved to (bindings, env contract, health path, wrangler config) is in its WorkerService's outputs
 * (`WorkerServiceOutputs`), once: the stack output is printed after every `pulumi up` and kept in the state beside them.
 */
export interface ServiceEndpoint {
    /** The script name in Cloudflare (`api-staging`). */
    readonly scriptName: pulumi.Output<string>;
    /** Public URL (first Custom Domain, else first route host, else workers.dev); undefined when unreachable. */
    readonly url: string | undefined;
}

/**
 * Every service of one stack. Script names are `<service>-<stack>`; a service is created after the
 * services it binds to (service bindings and Durable Objects of other services), because Cloudflare
 * rejects a binding to a script that does not exist yet.
 *
 * @example
 * const env = new Environment("staging", { stack: "staging", accountId, services });
 * export const services = env.summary; // { api: { scriptName: "api-staging", url: "https://api.example.com" }, ... }
 */
export class Environment extends pulumi.ComponentResource {
    /** The WorkerService of each service, by service name. */
    declare readonly services: Readonly<Record<string, WorkerService>>;
    /** Script name and URL of every service, by service name, in the order of `args.services` (a stack output as it is). */
    declare readonly summary: Readonly<Record<string, ServiceEndpoint>>;
    /** The Hyperdrive configuration of the environment's database; undefined without `database`. */
    declare readonly hyperdrive: cloudflare.HyperdriveConfig | undefined;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ENVIRONMENT_TYPE, name, {}, opts);
        const hyperdrive = args.database === undefined ? undefined : createHyperdriveConfig(`${name}-hyperdrive`, {
            accountId: args.accountId,
            name: `${args.stack}-postgres`,
            connection: args.database.connection,
            protect: args.database.protect ?? false,
        }, this);
        const services: Record<string, WorkerService> = {};
        const scripts: Record<string, string> = {};
        for (const svc of args.services) {
            scripts[svc.declaration.name] = scriptNameOf(svc.declaration.name, args.stack);
        }
        for (const svc of args.services) {
            const dependsOn = dependenciesOf(svc.declaration).map((dep) => {
                const target = services[dep];
                if (target === undefined) {
                    throw new Error(`Environment ${name}: service ${svc.declaration.name} binds to ${dep}, which is not listed before it`);
                }
                return target;
            });
            services[svc.declaration.name] = new WorkerService(svc.declaration.name, {
                accountId: args.accountId,
                declaration: svc.declaration,
                root: svc.root,
                serviceDir: svc.serviceDir,
                scriptName: scripts[svc.declaration.name]!,
                settings: svc.settings,
                ...(svc.secrets === undefined ? {} : { secrets: svc.secrets }),
                ...(svc.imports === undefined ? {} : { imports: svc.imports }),
                ...(svc.healthGate === undefined ? {} : { healthGate: svc.healthGate }),
                ...(svc.deployment === undefined ? {} : { deployment: svc.deployment }),
                ...(svc.bundle === undefined ? {} : { bundle: svc.bundle }),
                ...(args.zone === undefined ? {} : { zone: args.zone }),
                ...(args.workersDevSubdomain === undefined ? {} : { workersDevSubdomain: args.workersDevSubdomain }),
                serviceScripts: scripts,
                ...(hyperdrive === undefined ? {} : { hyperdriveId: hyperdrive.id }),
            }, { parent: this, dependsOn });
        }
        this.services = services;
        this.hyperdrive = hyperdrive;
        // Plain records: the engine resolves the Outputs inside a stack output, and `pulumi.output` would wrap each
        // Output again (two more per service; bench: memory at 200 services).
        this.summary = Object.fromEntries(Object.entries(services).map(([svcName, svc]): [string, ServiceEndpoint] =>
            [svcName, { scriptName: svc.scriptName, url: svc.constants.url }]));
        // Only the script names: the summary is the stack output already, and registering it again here
        // doubled the outputs the engine keeps (bench: about 20k values and 15-20 MB at 200 services).
        this.registerOutputs({ scriptNames: scripts });
    }
}

/** Script name of a service in a stack: `<service>-<stack>` (`components/stackName.ts`). */
export { scriptNameOf };

/** Names of the declared services a declaration binds to (service bindings, external Durable Objects, ...) or sends its events to (tail consumers), without repeats. */
export function dependenciesOf(declaration: ServiceDeclaration): string[] {
    return [...new Set([
        ...Object.values(declaration.bindings).flatMap((binding) => bindingKind(binding.kind).dependsOnServices?.(binding) ?? []),
        // Tail Workers: Cloudflare rejects a tail consumer whose script does not exist yet.
        ...effectiveWorkerSettings(declaration).tailConsumers,
    ])];
}
