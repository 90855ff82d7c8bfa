/** GitHub: repository environments with their Actions secrets and variables, per stack. */
export * from "./githubEnvironment";
export * from "./names";
