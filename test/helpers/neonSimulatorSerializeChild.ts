/**
 * Child-process entry of `serializeNeonProviders` (`neonSimulatorSerialize.ts`), run the way the engine runs
 * the program (node --import tsx, CommonJS), so closure serialization behaves as under `pulumi up`:
 *
 *   node --import tsx test/helpers/neonSimulatorSerializeChild.ts <result.json>
 *
 * Registers one of each Neon resource under the SDK's mock engine and writes what the engine would
 * receive: each type's `__provider` text and inputs, and whether the secret outputs arrive as secrets.
 * The mock answers the role's password (and the connection's) with `NEON_TEST_ROLE_PASSWORD` (a canary).
 */
import { writeFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";

interface Registered { type: string; name: string; inputs: Record<string, unknown> }

async function main(output: string): Promise<void> {
    const registered: Registered[] = [];
    const password = process.env.NEON_TEST_ROLE_PASSWORD ?? "password";
    await pulumi.runtime.setMocks({
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            const outs: Record<string, unknown> = { ...args.inputs };
            delete outs.__provider;
            if (args.type.endsWith(":Project")) Object.assign(outs, { projectId: "proj-1", defaultBranchId: "br-main", proxyHost: "us-east-2.aws.neon.tech" });
            if (args.type.endsWith(":Branch")) Object.assign(outs, { branchId: "br-1" });
            if (args.type.endsWith(":Endpoint")) Object.assign(outs, { endpointId: "ep-1", host: "ep-1.us-east-2.aws.neon.tech" });
            if (args.type.endsWith(":Role")) Object.assign(outs, { password });
            if (args.type.endsWith(":Connection")) {
                Object.assign(outs, { host: "ep-1.us-east-2.aws.neon.tech", port: 5432, database: "app", user: "app", password,
                    uri: `postgresql://app:${password}@ep-1.us-east-2.aws.neon.tech/app?sslmode=require` });
            }
            return { id: `${args.name}-id`, state: outs };
        },
        call: (args) => args.inputs,
    }, "platform", "staging", false);
    // Loaded after setMocks, as a program would be.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const neon = require("../../components/neon") as typeof import("../../components/neon");
    const project = new neon.NeonProject("db", { name: "acme", regionId: "aws-us-east-2", pgVersion: 17 });
    const branch = new neon.NeonBranch("db-staging", { projectId: project.projectId, name: "staging" });
    const endpoint = new neon.NeonEndpoint("db-staging-endpoint", { projectId: project.projectId, branchId: branch.branchId });
    const role = new neon.NeonRole("db-staging-role", { projectId: project.projectId, branchId: branch.branchId, name: "app" });
    const database = new neon.NeonDatabase("db-staging-db", { projectId: project.projectId, branchId: branch.branchId, name: "app", ownerName: role.name });
    const connection = new neon.NeonConnection("db-staging-connection", {
        projectId: project.projectId, branchId: branch.branchId, endpointId: endpoint.endpointId,
        roleName: role.name, rolePassword: role.password, databaseName: database.name,
    });
    const secretness = async (o: pulumi.Output<unknown>) => (o as unknown as { isSecret: Promise<boolean> }).isSecret;
    const unwrap = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => { resolve(v); return v; }));
    const result = {
        registered: await (async () => { await unwrap(database.databaseId); await unwrap(connection.uri); return registered; })(),
        secret: {
            rolePassword: await secretness(role.password),
            connectionPassword: await secretness(connection.password),
            connectionString: await secretness(connection.uri),
            host: await secretness(connection.host),
        },
        connectionString: await unwrap(connection.uri),
    };
    await writeFile(output, JSON.stringify(result));
}

main(process.argv[2]!).then(() => process.exit(0), (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
});
