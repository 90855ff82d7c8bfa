/**
 * Diagnostic variant "skeleton": the plain program's resources, each service's parented to a bare
 * `platform:cloudflare:WorkerService` component under a bare `platform:cloudflare:Environment`, every
 * component registering empty outputs. Same custom resources and the same component tree as the
 * components variant, none of its code: the difference to "plain" is what the component resources
 * themselves cost; the difference to "components" is what our component code costs.
 */
import * as pulumi from "@pulumi/pulumi";
import { STACK, type ServiceSpec } from "./fixture";
import { plainProgram } from "./plainProgram";

/** Declares the skeleton for `specs`; returns the plain program's stack outputs. */
export function skeletonProgram(specs: readonly ServiceSpec[]): Record<string, unknown> {
    const environment = new BareComponent("platform:cloudflare:Environment", STACK);
    const services = new Map(specs.map((spec) => [spec.name, new BareComponent("platform:cloudflare:WorkerService", spec.name, environment)]));
    const outputs = plainProgram(specs, { parentOf: (service) => services.get(service) });
    for (const service of services.values()) service.done();
    environment.done();
    return outputs;
}

/** A component with no args, no code and no outputs. */
class BareComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, parent?: pulumi.Resource) {
        super(type, name, {}, parent === undefined ? {} : { parent });
    }

    done(): void {
        this.registerOutputs({});
    }
}
