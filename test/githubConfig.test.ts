/**
 * `platform:github`: GitHub's naming rules case by case, the config schema's diagnostics (every problem
 * with its path, never a stack trace), and resolution against the stack's outputs.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { EnvironmentService } from "../components/cloudflare/environment";
import { canonicalValueName, environmentNameProblem, valueNameProblem } from "../components/github/names";
import { githubEnvironmentIssues } from "../components/github/githubEnvironment";
import { defineService } from "../components/service/declaration";
import { ValidationError } from "../components/validation";
import type { ServiceSettings } from "../components/service/settings";
import { loadStackConfig, type StackConfig } from "../infra/config";
import { publicUrl } from "../components/cloudflare/publicUrl";
import { githubOutputSources, resolveGithub, type OutputSource } from "../infra/github";

describe("GitHub names", () => {
    const cases: [string, string | undefined][] = [
        ["API_URL", undefined],
        ["_PRIVATE", undefined],
        ["api_url", undefined],
        ["A1", undefined],
        ["1ST_TOKEN", "secret names must not start with a digit"],
        ["GITHUB_TOKEN", "secret names must not start with the reserved prefix GITHUB_"],
        ["github_app_id", "secret names must not start with the reserved prefix GITHUB_"],
        ["API-URL", "secret names may contain only letters, digits and underscores ([A-Za-z0-9_]), no spaces or other characters"],
        ["API URL", "secret names may contain only letters, digits and underscores ([A-Za-z0-9_]), no spaces or other characters"],
        ["ÄPI", "secret names may contain only letters, digits and underscores ([A-Za-z0-9_]), no spaces or other characters"],
        ["", "a secret name cannot be empty"],
        ["A".repeat(255), undefined],
        ["A".repeat(256), "secret names are limited to 255 characters here, got 256"],
    ];
    for (const [name, problem] of cases) {
        it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}: ${problem ?? "valid"}`, () => {
            expect(valueNameProblem(name, "secret")).toBe(problem);
        });
    }
    it("names variables in their messages, and stores names upper-cased", () => {
        expect(valueNameProblem("9LIVES", "variable")).toBe("variable names must not start with a digit");
        expect(canonicalValueName("api_url")).toBe("API_URL");
    });
    it("limits environment names to 255 characters", () => {
        expect(environmentNameProblem("production")).toBeUndefined();
        expect(environmentNameProblem("x".repeat(256))).toBe("environment names are limited to 255 characters, got 256");
        expect(environmentNameProblem(" ")).toBe("an environment name cannot be empty");
    });
    it("the component rejects what the config would, each problem with its path", () => {
        const issues = githubEnvironmentIssues({
            owner: "-bad-",
            repositories: [
                { repository: "app", environment: "staging", secrets: { GITHUB_X: "v", api: "v" }, variables: { API: "v" } },
                { repository: "app", environment: "staging", reviewers: { users: [1, 2, 3, 4], teams: [5, 6, 7] } },
            ],
        });
        expect(issues).toEqual([
            { path: "owner", message: 'expected a GitHub user or organization name, got "-bad-"' },
            { path: "repositories[0].secrets.GITHUB_X", message: "secret names must not start with the reserved prefix GITHUB_" },
            { path: "repositories[0].variables.API", message: "secret api already uses the name API (GitHub names are case-insensitive); rename one" },
            { path: "repositories[1].repository", message: "repository app is listed twice" },
            { path: "repositories[1].reviewers", message: "GitHub allows at most 6 reviewers per environment, got 7" },
        ]);
    });
});

const base = (): Record<string, string> => ({
    "platform:accountId": "0123456789abcdef0123456789abcdef",
    "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
    "platform:workersDevSubdomain": "acme",
});
const withGithub = (github: unknown) => ({ ...base(), "platform:github": JSON.stringify(github) });
const isSecret = (key: string) => key === "platform:secrets";

function configIssues(raw: Record<string, string>): string[] {
    try {
        loadStackConfig(raw, isSecret);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message).not.toMatch(/\n\s+at /);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected a ValidationError");
}

describe("platform:github config schema", () => {
    it("accepts the documented shape and fills its defaults", () => {
        const config = loadStackConfig(withGithub({
            owner: "example-co",
            repositories: { storefront: { reviewers: { users: { octocat: 583231 } }, secrets: { TOKEN: "accountId" }, variables: { API_URL: "services.api.url" } } },
        }), isSecret);
        expect(config.github).toEqual({
            owner: "example-co",
            repositories: {
                storefront: {
                    defaultBranch: "main",
                    reviewers: { users: { octocat: 583231 }, teams: {} },
                    secrets: { TOKEN: "accountId" },
                    variables: { API_URL: "services.api.url" },
                },
            },
        });
        expect(loadStackConfig(base(), isSecret).github).toBeUndefined();
    });

    it("reports every invalid name, id and key with its config path", () => {
        expect(configIssues(withGithub({
            owner: "example co",
            repositories: {
                storefront: {
                    reviewer: {},
                    reviewers: { users: { octocat: "583231" }, teams: { "Release Managers": 1 } },
                    branchPolicy: "main-only",
                    secrets: { GITHUB_TOKEN: "accountId", "1ST": "accountId", "API-KEY": "accountId", api_url: "services.api.url" },
                    variables: { API_URL: "services api url" },
                },
                "bad/repo": {},
            },
        }))).toMatchInlineSnapshot(`
          [
            "platform:github.owner: expected a GitHub user or organization name such as example-co, got string ("example co")",
            "platform:github.repositories.storefront.branchPolicy: expected "default-branch" (only the repository's default branch deploys) or "any" (every branch may), got string ("main-only")",
            "platform:github.repositories.storefront.reviewers.users.octocat: expected number, got string ("583231")",
            "platform:github.repositories.storefront.reviewers.teams["Release Managers"]: invalid key "Release Managers": expected a team slug (lowercase, as in the team's URL)",
            "platform:github.repositories.storefront.secrets.GITHUB_TOKEN: invalid key "GITHUB_TOKEN": secret names must not start with the reserved prefix GITHUB_",
            "platform:github.repositories.storefront.secrets["1ST"]: invalid key "1ST": secret names must not start with a digit",
            "platform:github.repositories.storefront.secrets.API-KEY: invalid key "API-KEY": secret names may contain only letters, digits and underscores ([A-Za-z0-9_]), no spaces or other characters",
            "platform:github.repositories.storefront.variables.API_URL: expected the dotted path of a stack output, e.g. services.api.url, got string ("services api url")",
            "platform:github.repositories.storefront.reviewer: unknown key; remove it or check its spelling",
            "platform:github.repositories["bad/repo"]: invalid key "bad/repo": expected a repository name (letters, digits, '.', '-', '_')",
          ]
        `);
    });

    it("rejects more than 6 reviewers and names equal up to case", () => {
        const users = Object.fromEntries(["a", "b", "c", "d", "e"].map((u, i) => [u, i + 1]));
        expect(configIssues(withGithub({
            owner: "example-co",
            repositories: { app: { reviewers: { users, teams: { ops: 10, sec: 11 } }, secrets: { api_url: "accountId" }, variables: { API_URL: "accountId" } } },
        }))).toEqual([
            "platform:github.repositories.app.reviewers: GitHub allows at most 6 reviewers (users and teams together) per environment, got 7",
            "platform:github.repositories.app.variables.API_URL: secrets.api_url already uses the name API_URL (GitHub names are case-insensitive); rename one",
        ]);
    });

    it("rejects more than 100 secrets per environment", () => {
        const secrets = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`S${i}`, "accountId"]));
        expect(configIssues(withGithub({ owner: "example-co", repositories: { app: { secrets } } }))).toEqual([
            "platform:github.repositories.app.secrets: GitHub allows at most 100 secrets per environment, got 101",
        ]);
    });
});

/** Services as resolveServices returns them; only the name and settings matter here. */
function service(name: string, settings: Partial<ServiceSettings>): EnvironmentService {
    return {
        declaration: defineService({ name, main: "src/index.ts", compatibilityDate: "2026-04-01", bindings: {}, env: z.object({}) }),
        root: `/repo/services/${name}`,
        serviceDir: `services/${name}`,
        settings: {
            routes: [], customDomains: [], vars: {}, workersDev: false, crons: [],
            observability: { enabled: true, headSamplingRate: 1 }, protect: false, ...settings,
        } as ServiceSettings,
    };
}
const services = [service("api", { customDomains: ["api.example.com"] }), service("worker", {})];
const resolveIssues = (stack: string, config: StackConfig, sources?: ReadonlyMap<string, OutputSource>): string[] => {
    try {
        resolveGithub(stack, config, services, sources);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected a ValidationError");
};

describe("platform:github resolution against the stack's outputs", () => {
    it("lists the outputs a stack has: account, zone, subdomain, script names, URLs where they exist", () => {
        const config = loadStackConfig(base(), isSecret);
        expect([...githubOutputSources(config, services).keys()]).toEqual([
            "accountId", "workersDevSubdomain", "zone.id", "zone.name", "services.api.scriptName", "services.api.url", "services.worker.scriptName",
        ]);
    });

    it("decides public URLs as WorkerService does (one rule: publicUrl)", () => {
        const s = (settings: Partial<ServiceSettings>) => service("x", settings).settings;
        expect(publicUrl(s({ customDomains: ["x.example.com"] }), "x-staging", undefined)).toBe("https://x.example.com");
        expect(publicUrl(s({ routes: ["example.com/x/*"] }), "x-staging", undefined)).toBe("https://example.com");
        expect(publicUrl(s({ routes: ["*.example.com/*"] }), "x-staging", undefined)).toBeUndefined();
        expect(publicUrl(s({ workersDev: true }), "x-staging", "acme")).toBe("https://x-staging.acme.workers.dev");
        expect(publicUrl(s({ workersDev: true }), "x-staging", undefined)).toBeUndefined();
        expect(publicUrl(s({}), "x-staging", "acme")).toBeUndefined();
    });

    it("rejects unknown outputs, missing URLs and production without reviewers, each with its path", () => {
        const config = loadStackConfig(withGithub({
            owner: "example-co",
            repositories: {
                app: { secrets: { TOKEN: "services.api.token" }, variables: { WORKER_URL: "services.worker.url", DB: "neon.databaseUrl" } },
            },
        }), isSecret);
        expect(resolveIssues("production", config)).toEqual([
            "platform:github.repositories.app.reviewers: the production environment needs at least one required reviewer; set reviewers.users or reviewers.teams (login or team slug: numeric id)",
            'platform:github.repositories.app.secrets.TOKEN: unknown stack output "services.api.token"; available in stack production: accountId, workersDevSubdomain, zone.id, zone.name, services.api.scriptName, services.api.url, services.worker.scriptName',
            "platform:github.repositories.app.variables.WORKER_URL: service worker has no public URL in stack production (no custom domain, route or workers.dev); give it one or map services.worker.scriptName",
            'platform:github.repositories.app.variables.DB: unknown stack output "neon.databaseUrl"; available in stack production: accountId, workersDevSubdomain, zone.id, zone.name, services.api.scriptName, services.api.url, services.worker.scriptName',
        ]);
    });

    it("rejects a secret output as a variable, and accepts it as a secret", () => {
        const config = loadStackConfig(withGithub({
            owner: "example-co",
            repositories: { app: { secrets: { DATABASE_URL: "neon.databaseUrl" }, variables: { DB: "neon.databaseUrl" } } },
        }), isSecret);
        const sources = new Map<string, OutputSource>([["neon.databaseUrl", { secret: true, read: () => "postgres://…" }]]);
        expect(resolveIssues("staging", config, sources)).toEqual([
            "platform:github.repositories.app.variables.DB: stack output neon.databaseUrl is a secret and variables are plain text; list it under secrets",
        ]);
    });

    it("defaults the environment to the stack, and the branch policy to the default branch in production only", () => {
        const github = { owner: "example-co", repositories: { app: { reviewers: { users: { octocat: 583231 } }, variables: { API_URL: "services.api.url" } } } };
        const config = loadStackConfig(withGithub(github), isSecret);
        const production = resolveGithub("production", config, services)!.repositories[0]!;
        expect(production).toMatchObject({ repository: "app", environment: "production", deploymentBranch: "main", reviewers: { users: [583231], teams: [] } });
        expect(Object.keys(production.variables)).toEqual(["API_URL"]);
        expect(resolveGithub("staging", config, services)!.repositories[0]).toMatchObject({ environment: "staging", deploymentBranch: undefined });
        const any = loadStackConfig(withGithub({ ...github, repositories: { app: { ...github.repositories.app, branchPolicy: "any", environment: "prod" } } }), isSecret);
        expect(resolveGithub("production", any, services)!.repositories[0]).toMatchObject({ environment: "prod", deploymentBranch: undefined });
        expect(resolveGithub("production", loadStackConfig(base(), isSecret), services)).toBeUndefined();
    });
});
