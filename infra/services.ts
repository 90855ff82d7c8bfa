/**
 * The services this repository deploys. Add a service by creating `services/<name>/service.ts` and
 * listing it here; order does not matter (the program orders services by their bindings).
 */
import * as path from "node:path";
import api from "../services/api/service";
import reports from "../services/reports/service";
import type { ServiceEntry } from "./registry";

const servicesDir = path.resolve(__dirname, "..", "services");

/** Every service of the platform, with its directory. */
export const services: readonly ServiceEntry[] = [
    { declaration: api, root: path.join(servicesDir, "api") },
    { declaration: reports, root: path.join(servicesDir, "reports") },
];
