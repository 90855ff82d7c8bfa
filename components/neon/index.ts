export { NeonBranch, NeonDatabase, NeonEndpoint, NeonProject, NeonRole, NEON_SECRET_OUTPUTS, neonConnection } from "./resources";
export type { NeonBranchArgs, NeonConnection, NeonDatabaseArgs, NeonEndpointArgs, NeonProjectArgs, NeonRoleArgs } from "./resources";
export { NEON_REPLACE_ON } from "./provider";
export type { BranchInputs, BranchOutputs, DatabaseInputs, DatabaseOutputs, EndpointInputs, EndpointOutputs, ProjectInputs, ProjectOutputs, RoleInputs, RoleOutputs } from "./provider";
export * from "./typeTokens";
