/**
 * Entry point of the Pulumi program (`main` in Pulumi.yaml). Its exports are the stack outputs.
 */
import { definePlatform } from "./program";
import { services as registered } from "./services";

const environment = definePlatform(registered);

/** Per service: script name, URL, bindings, env contract, health check path and wrangler config for local dev. */
export const services = environment.summary;
