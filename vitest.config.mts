import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // The Pulumi SDK keeps its engine state in process globals: one process per test file.
        pool: "forks",
        isolate: true,
        // Two cores: e2e files start workerd, so keep concurrency modest.
        maxWorkers: 2,
        testTimeout: 30_000,
        hookTimeout: 120_000,
    },
});
