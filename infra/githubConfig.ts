/**
 * The `platform:github` stack config key: which repositories get a deployment environment for this stack
 * and which stack outputs they receive as Actions secrets and variables. Part of the stack config schema
 * (`infra/config.ts`); whether each output path exists in the stack is checked later, against the
 * services, in `infra/github.ts`.
 *
 * ```yaml
 * platform:github:
 *   owner: example-co
 *   repositories:
 *     storefront:
 *       environment: production          # default: the stack name
 *       reviewers:
 *         users: { octocat: 583231 }     # login: numeric id (gh api users/octocat --jq .id)
 *         teams: { release-managers: 4242 }
 *       secrets:
 *         CLOUDFLARE_ACCOUNT_ID: accountId
 *       variables:
 *         API_URL: services.api.url
 * ```
 */
import { z } from "zod";
import {
    BRANCH_NAME, GITHUB_LOGIN, MAX_PER_ENVIRONMENT, MAX_REVIEWERS, REPOSITORY_NAME, TEAM_SLUG,
    canonicalValueName, environmentNameProblem, valueNameProblem, type GithubValueKind,
} from "../components/github/names";

/** A dotted path of a stack output, e.g. `services.api.url`; resolved in `infra/github.ts`. */
const outputPath = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/, {
    error: "expected the dotted path of a stack output, e.g. services.api.url",
});

/** A secret or variable name key, checked against GitHub's rules with one message per rule broken. */
function valueName(kind: GithubValueKind) {
    return z.string().superRefine((name, ctx) => {
        const problem = valueNameProblem(name, kind);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    });
}

const githubId = z.number().int().positive({ error: "expected the numeric GitHub id (a positive integer)" });

/** Which branches may deploy to the environment. */
const branchPolicy = z.enum(["default-branch", "any"], {
    error: 'expected "default-branch" (only the repository\'s default branch deploys) or "any" (every branch may)',
});

const repositorySchema = z.strictObject({
    /** Environment name in the repository. @default the stack name */
    environment: z.string().superRefine((name, ctx) => {
        const problem = environmentNameProblem(name);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }).optional(),
    /** The repository's default branch. @default "main" */
    defaultBranch: z.string().regex(BRANCH_NAME, { error: "expected a branch name such as main" }).default("main"),
    /**
     * Which branches may deploy: `"default-branch"` only `defaultBranch` (a custom deployment branch
     * policy), `"any"` every branch. @default "default-branch" on the production stack, "any" elsewhere
     */
    branchPolicy: branchPolicy.optional(),
    /**
     * Required reviewers, by login or team slug with their numeric ids (`gh api users/<login> --jq .id`,
     * `gh api orgs/<org>/teams/<slug> --jq .id`); at most 6 together. Required on the production stack.
     * @default none
     */
    reviewers: z.strictObject({
        users: z.record(z.string().regex(GITHUB_LOGIN, { error: "expected a GitHub login" }), githubId).default({}),
        teams: z.record(z.string().regex(TEAM_SLUG, { error: "expected a team slug (lowercase, as in the team's URL)" }), githubId).default({}),
    }).optional(),
    /** Actions secrets: secret name → stack output path. Values are always Pulumi secrets. @default {} */
    secrets: z.record(valueName("secret"), outputPath).default({}),
    /** Actions variables: variable name → stack output path of a non-secret output. @default {} */
    variables: z.record(valueName("variable"), outputPath).default({}),
}).superRefine((repo, ctx) => {
    const reviewers = Object.keys(repo.reviewers?.users ?? {}).length + Object.keys(repo.reviewers?.teams ?? {}).length;
    if (reviewers > MAX_REVIEWERS) {
        ctx.addIssue({ code: "custom", path: ["reviewers"], message: `GitHub allows at most ${MAX_REVIEWERS} reviewers (users and teams together) per environment, got ${reviewers}` });
    }
    const seen = new Map<string, string>();
    for (const kind of ["secrets", "variables"] as const) {
        const names = Object.keys(repo[kind]);
        if (names.length > MAX_PER_ENVIRONMENT) {
            ctx.addIssue({ code: "custom", path: [kind], message: `GitHub allows at most ${MAX_PER_ENVIRONMENT} ${kind} per environment, got ${names.length}` });
        }
        for (const name of names) {
            const canonical = canonicalValueName(name);
            const other = seen.get(canonical);
            if (other !== undefined) {
                ctx.addIssue({ code: "custom", path: [kind, name], message: `${other} already uses the name ${canonical} (GitHub names are case-insensitive); rename one` });
            }
            seen.set(canonical, `${kind}.${name}`);
        }
    }
});

/** The `platform:github` key. */
export const githubConfigSchema = z.strictObject({
    /** The user or organization owning the repositories; the GitHub provider is pinned to it. */
    owner: z.string().regex(GITHUB_LOGIN, { error: "expected a GitHub user or organization name such as example-co" }),
    /** Repositories by name (without owner). */
    repositories: z.record(z.string().regex(REPOSITORY_NAME, { error: "expected a repository name (letters, digits, '.', '-', '_')" }), repositorySchema),
});

/** Validated `platform:github`. */
export type GithubConfig = z.output<typeof githubConfigSchema>;
/** One repository of {@link GithubConfig}. */
export type GithubRepositoryConfig = z.output<typeof repositorySchema>;
