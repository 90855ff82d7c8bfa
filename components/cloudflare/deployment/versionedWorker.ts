/**
 * A Worker deployed through versions: `cloudflare.Worker` (the named Worker and its settings),
 * `cloudflare.WorkerVersion` (one immutable upload of code, bindings and migrations per change) and
 * `cloudflare.WorkersDeployment` (which versions serve which share of traffic), built from the same
 * args `WorkerService` would give a `cloudflare.WorkersScript`; with `deployment.rollout`, a `RolloutGate`
 * between the version and the deployment moves traffic through the steps and judges them first
 * (`components/cloudflare/rollout/`), and the deployment declares the final 100%.
 *
 * Resources of @pulumi/cloudflare 6.22.1 (beta in the provider):
 * https://www.pulumi.com/registry/packages/cloudflare/api-docs/worker/ ,
 * https://www.pulumi.com/registry/packages/cloudflare/api-docs/workerversion/ ,
 * https://www.pulumi.com/registry/packages/cloudflare/api-docs/workersdeployment/
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { deploymentPlan, type DeploymentPlan, type DeploymentSettings } from "./deploymentSettings";
import { readLiveDeployment } from "./liveWorkerState";
import { RolloutGate } from "../rollout/rolloutGate";

/** Module type of an ES module part. Source: https://developers.cloudflare.com/workers/configuration/multipart-upload-metadata/ */
export const ES_MODULE_CONTENT_TYPE = "application/javascript+module";

/** Options of {@link createVersionedWorker}. */
export interface VersionedWorkerArgs {
    /** The script args `WorkerService` built (after its `transform.script`); `scriptName` names the Worker. */
    readonly scriptArgs: cloudflare.WorkersScriptArgs;
    /** The service's validated `deployment` settings (`strategy: "versions"`). */
    readonly settings: DeploymentSettings;
    /** Serve on workers.dev (the Worker's `subdomain.enabled`). */
    readonly workersDev: boolean;
    /** Declared service name and version, written to the version's annotations (`workers/tag`). */
    readonly service: { readonly name: string; readonly version: string };
    /** Resources the version must wait for (the D1 migrations). @default [] */
    readonly dependsOn?: pulumi.Resource[];
}

/** The children of a versioned Worker and the split they declare. */
export interface VersionedWorker {
    /** `<name>-worker`: the Worker (named after the script), with its observability and workers.dev settings. */
    readonly worker: cloudflare.Worker;
    /** `<name>-version`: the current code, bindings and pending Durable Object migrations; replaced on every change. */
    readonly version: cloudflare.WorkerVersion;
    /** `<name>-deployment`: which versions serve which share of traffic. */
    readonly deployment: cloudflare.WorkersDeployment;
    /** The split and the version under test; unknown in a preview that could not read the live deployment. */
    readonly plan: pulumi.Output<DeploymentPlan>;
    /** `<name>-rollout-gate`: drives and judges the steps before `deployment` promotes; with an enabled `deployment.rollout` only. */
    readonly rolloutGate?: RolloutGate;
}

/**
 * Declares the Worker, its version for the current code, and the deployment.
 *
 * A split below 100% needs the version that keeps the rest of the traffic: `stableVersionId`, else it is
 * read from the live deployment at deploy time ({@link readLiveDeployment}). A preview that cannot read
 * it (no `CLOUDFLARE_API_TOKEN`, or the offline plan) shows the deployment's versions as unknown.
 */
export function createVersionedWorker(name: string, args: VersionedWorkerArgs, parent: pulumi.Resource): VersionedWorker {
    const script = args.scriptArgs;
    if (script.keepBindings !== undefined) {
        // Validated earlier (workerSettingsStackIssues): a version carries every binding, there is nothing to keep.
        throw new Error(`${name}: keepBindings (keepVars) cannot be combined with deployment.strategy "versions"`);
    }
    const worker = new cloudflare.Worker(`${name}-worker`, {
        accountId: script.accountId,
        name: script.scriptName,
        ...(script.observability === undefined ? {} : { observability: script.observability as pulumi.Input<cloudflare.types.input.WorkerObservability> }),
        subdomain: { enabled: args.workersDev, previewsEnabled: false },
        // Worker-level settings of the provider's `Worker` (`logpush`, `tailConsumers: [{ name }]`).
        ...(script.logpush === undefined ? {} : { logpush: script.logpush }),
        ...(script.tailConsumers === undefined ? {} : { tailConsumers: pulumi.output(script.tailConsumers).apply(workerTailConsumers) }),
    }, { parent });
    const mainModule = pulumi.output(script.mainModule).apply((m) => m ?? "index.js");
    const version = new cloudflare.WorkerVersion(`${name}-version`, {
        accountId: script.accountId,
        workerId: worker.id,
        mainModule,
        modules: [{
            name: mainModule,
            contentType: ES_MODULE_CONTENT_TYPE,
            contentBase64: pulumi.output(script.content).apply((text) => Buffer.from(text ?? "", "utf8").toString("base64")),
        }, ...additionalModules(script.files)],
        ...(script.compatibilityDate === undefined ? {} : { compatibilityDate: script.compatibilityDate }),
        ...(script.compatibilityFlags === undefined ? {} : { compatibilityFlags: script.compatibilityFlags }),
        // Same field names as WorkersScript bindings and migrations in the provider schema.
        ...(script.bindings === undefined ? {} : { bindings: script.bindings as pulumi.Input<pulumi.Input<cloudflare.types.input.WorkerVersionBinding>[]> }),
        ...(script.migrations === undefined ? {} : { migrations: script.migrations as pulumi.Input<cloudflare.types.input.WorkerVersionMigrations> }),
        // Same field names in the provider schema: WorkersScriptPlacement / WorkerVersionPlacement, ...Limits.
        ...(script.placement === undefined ? {} : { placement: script.placement as pulumi.Input<cloudflare.types.input.WorkerVersionPlacement> }),
        ...(script.limits === undefined ? {} : { limits: script.limits as pulumi.Input<cloudflare.types.input.WorkerVersionLimits> }),
        ...(script.assets === undefined ? {} : { assets: pulumi.output(script.assets).apply(versionAssets) }),
        annotations: { workersMessage: versionMessage(`pulumi up: ${args.service.name} ${args.service.version}`, script.annotations), workersTag: args.service.version },
    }, { parent, dependsOn: args.dependsOn ?? [] });

    const settings = args.settings;
    const needsLive = settings.rollbackTo === undefined && settings.percentage < 100 && settings.stableVersionId === undefined;
    const live = needsLive
        ? pulumi.all([script.accountId, script.scriptName]).apply(([accountId, scriptName]) => readLiveDeployment(accountId, scriptName))
        : pulumi.output(undefined);
    const plan = pulumi.all([version.id, live]).apply(([versionId, read]) => {
        if (read?.status === "skipped") {
            pulumi.log.info(`${read.reason}; the ${settings.percentage}% split is shown as unknown. pulumi up reads it.`, parent);
            return pulumi.output(pulumi.unknown) as unknown as pulumi.Output<DeploymentPlan>;
        }
        return pulumi.output(deploymentPlan(settings, versionId, read?.value));
    });
    const rolloutGate = createRolloutGate(name, args, worker, version, parent);
    const deployment = new cloudflare.WorkersDeployment(`${name}-deployment`, {
        accountId: script.accountId,
        scriptName: worker.name,
        strategy: "percentage",
        versions: plan.apply((p) => p.versions.map((v) => ({ versionId: v.versionId, percentage: v.percentage }))),
        annotations: {
            workersMessage: settings.rollbackTo !== undefined
                ? `pulumi up: rollback of ${args.service.name} to ${settings.rollbackTo}`
                : rolloutGate !== undefined
                    ? `pulumi up: ${args.service.name} ${args.service.version} at 100% after the rollout gate (${settings.rollout!.steps.join("% → ")}%)`
                    : `pulumi up: ${args.service.name} ${args.service.version} at ${settings.percentage}%`,
        },
    }, { parent, dependsOn: rolloutGate === undefined ? [version] : [version, rolloutGate] });
    return { worker, version, deployment, plan, ...(rolloutGate === undefined ? {} : { rolloutGate }) };
}

/**
 * `<name>-rollout-gate` when the rollout is enabled: it runs after the version is uploaded and before the
 * deployment, which declares the final 100% (see {@link RolloutGate}). Kept, suspended, while `rollbackTo` is set.
 */
function createRolloutGate(name: string, args: VersionedWorkerArgs, worker: cloudflare.Worker, version: cloudflare.WorkerVersion, parent: pulumi.Resource): RolloutGate | undefined {
    const { rollout, stableVersionId, rollbackTo } = args.settings;
    if (rollout?.enabled !== true) return undefined;
    return new RolloutGate(`${name}-rollout-gate`, {
        service: args.service.name,
        accountId: args.scriptArgs.accountId,
        scriptName: worker.name,
        newVersionId: version.id,
        rollout,
        ...(stableVersionId === undefined ? {} : { stableVersionId }),
        ...(rollbackTo === undefined ? {} : { rollbackTo }),
    }, { parent, dependsOn: [version] });
}

/**
 * The script's static assets as the version takes them: the same `directory` and `config` fields, except
 * the config's `headers`, `redirects` and `serveDirectly`, which `WorkerVersionAssetsConfig` does not have
 * (a version takes `_headers` / `_redirects` as modules). Source: `@pulumi/cloudflare` 6.22.1
 * `types/input.d.ts`, `WorkersScriptAssets` and `WorkerVersionAssets`.
 */
function versionAssets(assets: pulumi.Unwrap<cloudflare.types.input.WorkersScriptAssets> | undefined): cloudflare.types.input.WorkerVersionAssets | undefined {
    if (assets === undefined) return undefined;
    const { headers: _headers, redirects: _redirects, serveDirectly: _serveDirectly, ...config } = assets.config ?? {};
    return {
        ...(assets.directory === undefined ? {} : { directory: assets.directory }),
        ...(assets.jwt === undefined ? {} : { jwt: assets.jwt }),
        ...(assets.config === undefined ? {} : { config }),
    };
}

/** The version's message: `base`, then the script's own version message (static assets' hash) when it has one. */
function versionMessage(base: string, annotations: cloudflare.WorkersScriptArgs["annotations"]): pulumi.Input<string> {
    if (annotations === undefined) return base;
    return pulumi.output(annotations).apply((a) => (a?.workersMessage === undefined ? base : `${base}; ${a.workersMessage}`));
}

/** `WorkersScript` tail consumers (`{ service }`) as the provider's `Worker` takes them (`{ name }`). */
function workerTailConsumers(consumers: readonly cloudflare.types.input.WorkersScriptTailConsumer[] | undefined): cloudflare.types.input.WorkerTailConsumer[] {
    return (consumers ?? []).map((c) => ({ name: c.service }));
}

/**
 * `WorkersScript` `files` (additional modules by part name) as `WorkerVersion` modules (`{ name, contentType,
 * contentBase64 }`), in name order. Plain values only: `WorkerService` builds them from the bundle.
 */
function additionalModules(files: cloudflare.WorkersScriptArgs["files"]): cloudflare.types.input.WorkerVersionModule[] {
    const plain = (files ?? {}) as Record<string, cloudflare.types.input.WorkersScriptFiles>;
    return Object.keys(plain).sort().map((moduleName) => ({
        name: moduleName,
        contentType: plain[moduleName]!.contentType,
        ...(plain[moduleName]!.contentBase64 === undefined ? {} : { contentBase64: plain[moduleName]!.contentBase64 }),
        ...(plain[moduleName]!.contentSha256 === undefined ? {} : { contentSha256: plain[moduleName]!.contentSha256 }),
    }));
}
