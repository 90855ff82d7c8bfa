/**
 * Entry point of the Pulumi program (`main` in Pulumi.yaml). Its exports are the stack outputs.
 */
import { definePlatform } from "./program";
import { services as registered } from "./services";

const platform = definePlatform(registered);

/**
 * Per service: its script name and URL. Bindings, env contract, health check path and the wrangler config for local
 * development are each WorkerService's outputs (`WorkerServiceOutputs`).
 */
export const services = platform.environment.summary;
/**
 * The Neon ids of the stack's database, `{ projectId, branchId, branchName }`: staging reads production's
 * and `pr-<number>` stacks read staging's by stack reference (`infra/database.ts`).
 */
export const database = platform.database;
