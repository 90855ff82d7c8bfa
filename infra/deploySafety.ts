/**
 * Per-service deploy-safety settings of a stack (`platform:services.<name>.healthGate` and
 * `.deployment`), already validated by the stack config schema, in the shape `EnvironmentService` takes.
 */
import type { EnvironmentService } from "../components/cloudflare/environment";
import type { StackConfig } from "./config";

/**
 * The service's `healthGate` and `deployment` settings, each only when the stack sets it.
 * @param config the validated stack config.
 * @param service the declared service name.
 */
export function deploySafetySettings(config: StackConfig, service: string): Pick<EnvironmentService, "healthGate" | "deployment"> {
    const overrides = config.services[service];
    return {
        ...(overrides?.healthGate === undefined ? {} : { healthGate: overrides.healthGate }),
        ...(overrides?.deployment === undefined ? {} : { deployment: overrides.deployment }),
    };
}
