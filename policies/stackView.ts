/**
 * Lookups across a stack's resources that several policies share: the WorkerService a script belongs
 * to, the children of a component, the routes and workers.dev setting that expose a script.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { PolicyResource } from "@pulumi/policy";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";

/** One Worker script with what surrounds it in the stack. */
export interface ScriptView {
    /** The `WorkersScript` resource. */
    readonly resource: PolicyResource;
    /** Its `scriptName` (possibly unknown during a preview). */
    readonly scriptName: string | undefined;
    /** The `WorkerService` component it belongs to, if any. */
    readonly service: PolicyResource | undefined;
}

/** Every WorkersScript of the stack with its owning WorkerService. */
export function scripts(resources: readonly PolicyResource[]): ScriptView[] {
    return resources.filter((r) => r.isType(cloudflare.WorkersScript)).map((resource) => ({
        resource,
        scriptName: typeof resource.props.scriptName === "string" ? resource.props.scriptName : undefined,
        service: ancestorOfType(resource, WORKER_SERVICE_TYPE),
    }));
}

/** The closest ancestor of `resource` with type `type`. */
export function ancestorOfType(resource: PolicyResource, type: string): PolicyResource | undefined {
    for (let p = resource.parent; p !== undefined; p = p.parent) {
        if (p.type === type) return p;
    }
    return undefined;
}

/** A readable name for messages: the script name when known, else the resource name. */
export function scriptLabel(view: ScriptView): string {
    return resourceScriptLabel(view.scriptName, view.resource.name);
}

/** The same label from a script's props and resource name, for resource policies. */
export function resourceScriptLabel(scriptName: string | undefined, resourceName: string): string {
    return scriptName ?? resourceName;
}
