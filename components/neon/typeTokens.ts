/**
 * Type tokens of the Neon dynamic resources: the SDK builds `pulumi-nodejs:dynamic/<module>:<type>` from
 * the module and type passed to `pulumi.dynamic.Resource` (`@pulumi/pulumi/dynamic/index.js`).
 */
export const NEON_PROJECT_TYPE = "pulumi-nodejs:dynamic/neon:Project";
export const NEON_BRANCH_TYPE = "pulumi-nodejs:dynamic/neon:Branch";
export const NEON_ENDPOINT_TYPE = "pulumi-nodejs:dynamic/neon:Endpoint";
export const NEON_ROLE_TYPE = "pulumi-nodejs:dynamic/neon:Role";
export const NEON_DATABASE_TYPE = "pulumi-nodejs:dynamic/neon:Database";
export const NEON_CONNECTION_TYPE = "pulumi-nodejs:dynamic/neon:Connection";
