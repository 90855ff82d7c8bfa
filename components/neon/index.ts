export { NeonBranch, NeonConnection, NeonDatabase, NeonEndpoint, NeonProject, NeonRole, NEON_SECRET_OUTPUTS } from "./resources";
export type { NeonBranchArgs, NeonConnectionArgs, NeonDatabaseArgs, NeonEndpointArgs, NeonProjectArgs, NeonRoleArgs } from "./resources";
export { NEON_REPLACE_ON } from "./provider";
export type { BranchInputs, BranchOutputs, ConnectionInputs, ConnectionOutputs, DatabaseInputs, DatabaseOutputs, EndpointInputs, EndpointOutputs, ProjectInputs, ProjectOutputs, RoleInputs, RoleOutputs } from "./provider";
export * from "./typeTokens";
