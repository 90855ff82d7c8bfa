/**
 * Entry point of the Pulumi program (`main` in Pulumi.yaml). Its exports are the stack outputs.
 */
import { definePlatform } from "./program";
import { services as registered } from "./services";

const platform = definePlatform(registered);

/** Per service: script name, URL, bindings, env contract, health check path and wrangler config for local dev. */
export const services = platform.environment.summary;
/**
 * The Neon ids of the stack's database, `{ projectId, branchId, branchName }`: staging reads production's
 * and `pr-<number>` stacks read staging's by stack reference (`infra/database.ts`).
 */
export const database = platform.database;
