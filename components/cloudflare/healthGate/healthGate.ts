import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_HEALTH_GATE_INTERVAL_SECONDS, DEFAULT_HEALTH_GATE_TIMEOUT_SECONDS } from "./healthGateSettings";
import { healthGateProvider } from "./healthGateProvider";

/** Header that routes a request to one version of a gradual deployment. Source: https://developers.cloudflare.com/workers/versions-and-deployments/version-overrides/ */
export const VERSION_OVERRIDES_HEADER = "Cloudflare-Workers-Version-Overrides";

/** Arguments of {@link HealthGate}. */
export interface HealthGateArgs {
    /** Declared service name (`api`), for messages. */
    readonly service: string;
    /** Absolute URL of the health endpoint: the service URL plus `health.path` (`https://api.example.com/health`). */
    readonly url: pulumi.Input<string>;
    /** How long to wait for a healthy answer, in seconds. @default 180 */
    readonly timeoutSeconds?: number;
    /** Pause between requests, in seconds. @default 5 */
    readonly intervalSeconds?: number;
    /** Check names that must be present and `ok` in the report. @default [] (only the report's own status counts) */
    readonly expectedChecks?: readonly string[];
    /**
     * Send every request to this version (`Cloudflare-Workers-Version-Overrides: <script>="<version id>"`),
     * so the gate tests the new version even while it serves a small share of traffic.
     * @default none: requests take the deployment's split
     */
    readonly versionOverride?: { readonly scriptName: pulumi.Input<string>; readonly versionId: pulumi.Input<string> };
    /**
     * Any value that changes whenever what the gate guards is redeployed (script `modifiedOn`, deployment
     * id); a change makes `pulumi up` run the gate again.
     * @default none: the gate runs when created and when its other inputs change
     */
    readonly trigger?: pulumi.Input<string>;
}

/**
 * Fails `pulumi up` unless a service answers healthy after its deploy. Created after the Worker and its
 * routes (pass them in `dependsOn`), it requests the health URL every `intervalSeconds` until it answers
 * HTTP 200 with a report whose status and expected checks are `ok`; after `timeoutSeconds` it fails the
 * update with the failing checks' names and messages from the last report. Nothing runs during
 * `pulumi preview`. Type token: `pulumi-nodejs:dynamic/cloudflare:HealthGate`.
 *
 * @example
 * new HealthGate("api-health-gate", {
 *   service: "api", url: "https://api.example.com/health",
 *   expectedChecks: ["env", "DB"], trigger: script.modifiedOn,
 * }, { parent, dependsOn: [script, ...routes] });
 */
export class HealthGate extends pulumi.dynamic.Resource {
    /** Requests the last passing run took. */
    declare readonly attempts: pulumi.Output<number>;
    /** Check names of the last healthy report. */
    declare readonly checks: pulumi.Output<string[]>;

    constructor(name: string, args: HealthGateArgs, opts?: pulumi.CustomResourceOptions) {
        const override = args.versionOverride;
        const headers = override === undefined
            ? {}
            : pulumi.all([override.scriptName, override.versionId]).apply(([script, version]) => ({ [VERSION_OVERRIDES_HEADER]: `${script}="${version}"` }));
        super(healthGateProvider, name, {
            service: args.service,
            url: args.url,
            timeoutSeconds: args.timeoutSeconds ?? DEFAULT_HEALTH_GATE_TIMEOUT_SECONDS,
            intervalSeconds: args.intervalSeconds ?? DEFAULT_HEALTH_GATE_INTERVAL_SECONDS,
            expectedChecks: [...(args.expectedChecks ?? [])],
            headers,
            trigger: args.trigger,
            attempts: undefined,
            checks: undefined,
        }, opts, "cloudflare", "HealthGate");
    }
}
