/** The Neon API simulator for tests: it lives in `tools/neonSimulator/` so it also runs on its own (`main.ts`). */
export { startNeonSimulator } from "../../tools/neonSimulator/server";
export type { NeonFaultKind, NeonSimulator, NeonSimulatorOptions, RecordedRequest } from "../../tools/neonSimulator/server";
export { NeonSpec, neonOpenApiPath } from "../../tools/neonSimulator/spec";
export type { SpecViolation } from "../../tools/neonSimulator/spec";
