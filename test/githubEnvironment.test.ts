/**
 * The GitHub environments under the SDK's mock engine: through the real program path (`definePlatform`
 * with `platform:github` in a production stack's config), and the component alone in child processes to
 * compare two runs whose secret values differ.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { definePlatform } from "../infra/program";
import { maskSecrets, runOffline, type OfflineRun, type ResourceRecord } from "../tools/lib/mockEngine";
import { isSecretWire } from "../tools/lib/wire";
import type { GithubProgramRun } from "./helpers/githubProgram";

const root = path.join(__dirname, "fixtures", "workers", "basic");
const core = defineService({
    name: "core",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    bindings: { LOG_LEVEL: { kind: "var", value: "info" }, TOKEN: { kind: "secret" } },
    env: z.object({ LOG_LEVEL: z.string(), TOKEN: z.string() }),
});

const TOKEN_CANARY = "github-token-canary-0123456789abcdef";
const BINDING_CANARY = "binding-secret-canary-0123456789abcdef";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const config = {
    config: {
        "platform:accountId": ACCOUNT,
        "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
        "platform:workersDevSubdomain": "acme",
        "platform:services": JSON.stringify({ core: { customDomains: ["core.example.com"] } }),
        "platform:secrets": JSON.stringify({ core: { TOKEN: BINDING_CANARY } }),
        "platform:github": JSON.stringify({
            owner: "example-co",
            repositories: {
                storefront: {
                    reviewers: { users: { octocat: 583231 }, teams: { "release-managers": 4242 } },
                    secrets: { CLOUDFLARE_ACCOUNT_ID: "accountId", core_script: "services.core.scriptName" },
                    variables: { CORE_URL: "services.core.url", ZONE: "zone.name" },
                },
                docs: {
                    environment: "docs-production",
                    defaultBranch: "trunk",
                    reviewers: { users: { hubot: 480938 } },
                    variables: { CORE_SCRIPT: "services.core.scriptName" },
                },
            },
        }),
        "github:token": TOKEN_CANARY,
    },
    secretKeys: ["github:token", "platform:secrets"],
};

const ENV = "github:index/repositoryEnvironment:RepositoryEnvironment";
const POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
const VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";

let run: OfflineRun;
const find = (type: string, name: string, resources: readonly ResourceRecord[] = run.resources): ResourceRecord => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}; have ${resources.map((r) => r.name).join(", ")}`);
    return found;
};
const ofType = (type: string) => run.resources.filter((r) => r.type === type);

beforeAll(async () => {
    run = await runOffline({
        project: "platform",
        stack: "production",
        config,
        program: () => ({ services: definePlatform([{ declaration: core, root }], "production").environment.summary }),
    });
});

describe("GithubEnvironment through definePlatform (production)", () => {
    it("gives the production environment its reviewers, no self-review, no admin bypass and only the default branch", () => {
        const env = find(ENV, "production-storefront-environment");
        expect(env.inputs).toEqual({
            repository: "storefront",
            environment: "production",
            reviewers: [{ users: [583231], teams: [4242] }],
            preventSelfReview: true,
            canAdminsBypass: false,
            deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
        });
        expect(find(POLICY, "production-storefront-deployment-branch").inputs).toEqual({ repository: "storefront", environment: "production", branchPattern: "main" });
        expect(find(ENV, "production-docs-environment").inputs).toMatchObject({ environment: "docs-production", reviewers: [{ users: [480938], teams: [] }] });
        expect(find(POLICY, "production-docs-deployment-branch").inputs).toMatchObject({ branchPattern: "trunk" });
    });

    it("sends every secret value inside the SDK's secret marker, with value in additionalSecretOutputs", () => {
        const secrets = ofType(SECRET);
        expect(secrets.map((s) => s.inputs.secretName).sort()).toEqual(["CLOUDFLARE_ACCOUNT_ID", "CORE_SCRIPT"]);
        for (const secret of secrets) {
            expect(isSecretWire(secret.inputs.value), secret.name).toBe(true);
            expect(secret.additionalSecretOutputs, secret.name).toContain("value");
        }
        expect((find(SECRET, "production-storefront-secret-CLOUDFLARE_ACCOUNT_ID").inputs.value as { value: unknown }).value).toBe(ACCOUNT);
        const provider = find("pulumi:providers:github", "production-provider");
        expect(provider.inputs.owner).toBe("example-co");
        expect(isSecretWire(provider.inputs.token)).toBe(true);
        // Masked as the plan masks them: no secret value is left anywhere in the records or the outputs.
        const masked = JSON.stringify(maskSecrets(run.resources.map((r) => ({ inputs: r.inputs, outputs: r.outputs }))));
        for (const canary of [TOKEN_CANARY, BINDING_CANARY]) expect(masked).not.toContain(canary);
        expect(JSON.stringify(run.outputs)).not.toContain(TOKEN_CANARY);
        expect(masked).toContain('"value":"[secret]"');
    });

    it("fills plain variables from the Environment's outputs, upper-casing names as GitHub stores them", () => {
        expect(ofType(VARIABLE).map((v) => [v.name, v.inputs.variableName, v.inputs.value]).sort()).toEqual([
            ["production-docs-variable-CORE_SCRIPT", "CORE_SCRIPT", "core-production"],
            ["production-storefront-variable-CORE_URL", "CORE_URL", "https://core.example.com"],
            ["production-storefront-variable-ZONE", "ZONE", "example.com"],
        ]);
        for (const v of ofType(VARIABLE)) expect(isSecretWire(v.inputs.value), v.name).toBe(false);
    });

    it("registers every secret and variable delete-before-replace, under the component, with its pinned provider", () => {
        const component = find("platform:github:Environment", "production");
        const provider = find("pulumi:providers:github", "production-provider");
        const children = run.resources.filter((r) => r.type.startsWith("github:"));
        expect(children.length).toBe(2 + 2 + 2 + 3);
        for (const r of children) {
            expect(r.parent, r.name).toBe(component.urn);
            expect(r.provider, r.name).toBe(`${provider.urn}::${provider.id}`);
            expect(r.ignoreChanges, r.name).toEqual([]);
        }
        for (const r of [...ofType(SECRET), ...ofType(VARIABLE)]) expect(r.deleteBeforeReplace, r.name).toBe(true);
        // Created after the Environment, from its outputs.
        expect(component.dependencies).toContain(find("cloudflare:index/workersScript:WorkersScript", "core-script").urn);
        expect(component.parent).toBe(find("pulumi:pulumi:Stack", "platform-production").urn);
    });
});

describe("changing a secret's value", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "github-runs-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const runWith = (value: string): GithubProgramRun => {
        const out = path.join(tmp, `${value}.json`);
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "helpers", "githubProgram.ts"), out, value], {
            cwd: path.resolve(__dirname, ".."), encoding: "utf8", timeout: 120_000,
        });
        expect(result.status, result.stderr).toBe(0);
        return JSON.parse(fs.readFileSync(out, "utf8")) as GithubProgramRun;
    };

    it("keeps the URN and name, so it is an update (or a delete-before-replace), never a create-then-delete", () => {
        const first = runWith("first-canary-value-0123456789");
        const second = runWith("second-canary-value-9876543210");
        const secretsOf = (r: GithubProgramRun) => r.resources.filter((x) => x.type === SECRET);
        const [a] = secretsOf(first);
        const [b] = secretsOf(second);
        expect(secretsOf(first)).toHaveLength(1);
        expect(secretsOf(second)).toHaveLength(1);
        // Same URN: the engine diffs one resource; it never plans a create of a second resource holding
        // the same secret name followed by the delete of the first (pulumi/pulumi-github#223).
        expect(b!.urn).toBe(a!.urn);
        expect(b!.inputs.secretName).toBe(a!.inputs.secretName);
        expect(a!.inputs.secretName).toBe("DEPLOY_KEY");
        // Only the (secret) value differs; the fields that force a replacement (repository, environment,
        // secretName) are the same, so the provider's diff is an in-place update of `value`.
        const { value: va, ...restA } = a!.inputs;
        const { value: vb, ...restB } = b!.inputs;
        expect(restB).toEqual(restA);
        expect(isSecretWire(va) && isSecretWire(vb)).toBe(true);
        expect(va).not.toEqual(vb);
        // Should a replacement happen anyway, it deletes the old secret first.
        expect(a!.deleteBeforeReplace).toBe(true);
        const options = first.options.find((o) => o.type === SECRET)!;
        expect(options).toEqual({ type: SECRET, name: a!.name, deleteBeforeReplace: true, replaceOnChanges: [], ignoreChanges: [] });
        const variable = first.options.find((o) => o.type === VARIABLE)!;
        expect(variable).toMatchObject({ deleteBeforeReplace: true, replaceOnChanges: [] });
        // And the value never leaves the marker.
        for (const runOf of [first, second]) {
            const masked = JSON.stringify(maskSecrets(runOf.resources.map((r) => r.inputs)));
            expect(masked).not.toContain("canary-value");
        }
    });
});
