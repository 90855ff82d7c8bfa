/**
 * The program body, callable with any list of services: validates the stack config and the services
 * against it (every problem reported before any resource is registered), then declares the Environment
 * and, when `platform:github` is set, the GitHub environments filled from its outputs.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../components/cloudflare/environment";
import { loadStackConfig } from "./config";
import { declareDatabase, type DatabaseStackOutput } from "./database";
import { declareGithub, resolveGithub } from "./github";
import { declareMonitoring, withStackLogpush } from "./monitoring";
import type { ServiceEntry } from "./registry";
import { resolveServices } from "./resolve";
import { checkServiceFiles } from "./serviceFiles";
import { redactSdkDebugLog } from "./sdkDebugLog";

/** Absolute path of the project root (the directory holding Pulumi.yaml). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** What {@link definePlatform} declared. */
export interface Platform {
    /** The Cloudflare side: every service, its resources and bindings. */
    readonly environment: Environment;
    /** The `database` stack output (Neon ids); undefined when the stack has no `platform:database`. */
    readonly database?: DatabaseStackOutput;
}

/**
 * Declares the platform for the current stack.
 * @param services the services to deploy.
 * @param stack the stack name. @default pulumi.getStack()
 * @throws {ValidationError} for invalid stack config or services, or files they name that are wrong (an entry
 *   module that does not bundle or does not export a declared class, a D1 migrations directory that is not one:
 *   `infra/serviceFiles.ts`); nothing is registered in that case.
 *   (It is a `pulumi.RunError` to the CLI: printed without a stack trace.)
 */
export function definePlatform(services: readonly ServiceEntry[], stack: string = pulumi.getStack()): Platform {
    // Before any registration: the SDK would otherwise log every resource's state, secrets included.
    redactSdkDebugLog();
    performance.mark("platform:config"); // phase marks: tools/lib/phaseTimings.ts
    const config = loadStackConfig();
    // The config, then the files the services name (entry modules and their exports, migrations): all before any registration.
    // With a stack Logpush destination, every Worker sends its trace events unless its settings say otherwise.
    const resolved = withStackLogpush(config, checkServiceFiles(stack, resolveServices(stack, config, services, PROJECT_ROOT)));
    const github = resolveGithub(stack, config, resolved);
    const database = config.database === undefined
        ? undefined
        : declareDatabase(stack, config.database, config.protect === undefined ? {} : { protect: config.protect });
    const environment = new Environment(stack, {
        stack,
        accountId: config.accountId,
        ...(config.zone === undefined ? {} : { zone: config.zone }),
        ...(config.workersDevSubdomain === undefined ? {} : { workersDevSubdomain: config.workersDevSubdomain }),
        services: resolved,
        // The Hyperdrive configuration holds no data (the Neon branch does): not protected.
        ...(database === undefined ? {} : { database: { connection: database.connection } }),
    });
    // Logpush, Health Checks and alert policies, after the Workers they watch (infra/monitoring.ts).
    declareMonitoring(stack, config, resolved, environment);
    // GitHub environments after the Environment, from its outputs (URLs, script names, ...).
    if (github !== undefined) declareGithub(stack, github, environment);
    return { environment, ...(database === undefined ? {} : { database: database.output }) };
}
