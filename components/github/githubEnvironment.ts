import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_ENVIRONMENT_TYPE } from "../typeTokens";
import { ValidationError, renderPath, type ValidationIssue } from "../validation";
import {
    BRANCH_NAME, GITHUB_LOGIN, MAX_PER_ENVIRONMENT, MAX_REVIEWERS, REPOSITORY_NAME,
    canonicalValueName, environmentNameProblem, valueNameProblem,
} from "./names";

/** One repository's deployment environment for the stack, and the values its workflows receive. */
export interface GithubRepositoryEnvironment {
    /** Repository name without the owner, e.g. `storefront`. */
    readonly repository: string;
    /** Environment name, as the repository's workflows reference it (`environment: production`). */
    readonly environment: string;
    /**
     * Required reviewers, by numeric GitHub id (`gh api users/<login> --jq .id`,
     * `gh api orgs/<org>/teams/<slug> --jq .id`); at most 6 together. An environment with any reviewer
     * also prevents self-review and does not let repository admins bypass the review.
     * @default no reviewers
     */
    readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
    /**
     * The only branch allowed to deploy to the environment (a custom deployment branch policy), e.g. the
     * repository's default branch `main`. Unset: every branch may deploy.
     * @default every branch
     */
    readonly deploymentBranch?: string;
    /**
     * Actions secrets by name (`[A-Za-z_][A-Za-z0-9_]*`, not `GITHUB_*`). Every value is sent as a Pulumi
     * secret whatever it was, and stays one in state.
     * @default {}
     * @example { DATABASE_URL: branch.connectionUri }
     */
    readonly secrets?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Actions configuration variables by name (same rules as secrets). Values are plain text in GitHub and
     * in workflow logs: never pass a secret here.
     * @default {}
     * @example { API_URL: api.url }
     */
    readonly variables?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Arguments of {@link GithubEnvironment}. */
export interface GithubEnvironmentArgs {
    /** The user or organization owning every repository (`example-co`). */
    readonly owner: string;
    /**
     * Token of the GitHub provider; must be a Pulumi secret (`config.requireSecret`, `pulumi.secret`). It
     * needs the repository Administration (environments) and Secrets and Variables write permissions.
     * @default none: the provider's own fallback (the `GITHUB_TOKEN` variable)
     */
    readonly token?: pulumi.Input<string>;
    /** The repositories to configure; each repository at most once. */
    readonly repositories: readonly GithubRepositoryEnvironment[];
}

/** What the component exports per repository: names only, never values. */
export interface GithubEnvironmentSummary {
    readonly environment: string;
    readonly reviewers: number;
    readonly deploymentBranch: string | null;
    readonly secrets: string[];
    readonly variables: string[];
}

/**
 * The GitHub side of one stack: for each repository a deployment environment (reviewers and branch
 * policy when configured) holding the Actions secrets and variables its CI needs, filled from stack
 * outputs. Uses its own provider, pinned to `owner`, so resources never land in whichever account a
 * token happens to belong to.
 *
 * Same-name secrets and replacements: a create-before-delete replacement of an environment secret
 * creates (upserts) the new secret and then deletes the old one, which has the same name, so the new
 * secret is gone while the state says it exists (https://github.com/pulumi/pulumi-github/issues/223,
 * fixed in the provider by https://github.com/pulumi/pulumi-github/pull/229). Here:
 * - every secret and variable is registered with `deleteBeforeReplace: true`, so when a replacement does
 *   happen (its name or environment changed, or a provider version that forces replacement on a value
 *   change) the old one is deleted before the new one is written, never after;
 * - nothing adds `value` to `replaceOnChanges`, so a value change stays what the provider makes it, an
 *   in-place update with the provider versions this repository pins (`value` is not a ForceNew field);
 * - logical names derive from repository and name only, so changing a value or the output it comes from
 *   keeps the URN: the engine diffs one resource instead of creating a second one with the same name and
 *   deleting the first.
 *
 * @example
 * const gh = new GithubEnvironment("production", {
 *   owner: "example-co",
 *   token: new pulumi.Config("github").requireSecret("token"),
 *   repositories: [{
 *     repository: "storefront", environment: "production", reviewers: { users: [583231] },
 *     deploymentBranch: "main",
 *     secrets: { CLOUDFLARE_ACCOUNT_ID: accountId }, variables: { API_URL: api.url },
 *   }],
 * });
 */
export class GithubEnvironment extends pulumi.ComponentResource {
    /** The explicit GitHub provider every child uses. */
    declare readonly provider: github.Provider;
    /** The deployment environment of each repository, by repository name. */
    declare readonly environments: Readonly<Record<string, github.RepositoryEnvironment>>;
    /** Per repository: environment, reviewer count, branch policy, secret and variable names. */
    declare readonly summary: pulumi.Output<Record<string, GithubEnvironmentSummary>>;

    constructor(name: string, args: GithubEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(GITHUB_ENVIRONMENT_TYPE, name, {}, opts);
        const issues = githubEnvironmentIssues(args);
        if (issues.length > 0) throw new ValidationError(`GitHub environments of ${name}`, issues);

        const provider = new github.Provider(`${name}-provider`, {
            owner: args.owner,
            ...(args.token === undefined ? {} : { token: pulumi.secret(args.token) }),
        }, { parent: this });
        const environments: Record<string, github.RepositoryEnvironment> = {};
        const summary: Record<string, GithubEnvironmentSummary> = {};
        for (const repo of args.repositories) {
            const environment = createEnvironment(name, repo, this, provider);
            createValues(name, repo, environment, this, provider);
            environments[repo.repository] = environment;
            summary[repo.repository] = summarize(repo);
        }
        this.provider = provider;
        this.environments = environments;
        this.summary = pulumi.output(summary);
        this.registerOutputs({ summary: this.summary });
    }
}

/**
 * Problems with the args, each with its path (`repositories[0].secrets.GITHUB_TOKEN`): names GitHub would
 * reject, names equal up to case, too many values or reviewers, a repository listed twice.
 */
export function githubEnvironmentIssues(args: GithubEnvironmentArgs): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (!GITHUB_LOGIN.test(args.owner)) issues.push({ path: "owner", message: `expected a GitHub user or organization name, got "${args.owner}"` });
    const seen = new Set<string>();
    args.repositories.forEach((repo, i) => {
        const at = (...rest: PropertyKey[]) => renderPath("", ["repositories", i, ...rest]);
        if (!REPOSITORY_NAME.test(repo.repository)) issues.push({ path: at("repository"), message: `expected a repository name, got "${repo.repository}"` });
        if (seen.has(repo.repository.toLowerCase())) issues.push({ path: at("repository"), message: `repository ${repo.repository} is listed twice` });
        seen.add(repo.repository.toLowerCase());
        const envProblem = environmentNameProblem(repo.environment);
        if (envProblem !== undefined) issues.push({ path: at("environment"), message: envProblem });
        const reviewers = (repo.reviewers?.users?.length ?? 0) + (repo.reviewers?.teams?.length ?? 0);
        if (reviewers > MAX_REVIEWERS) issues.push({ path: at("reviewers"), message: `GitHub allows at most ${MAX_REVIEWERS} reviewers per environment, got ${reviewers}` });
        if (repo.deploymentBranch !== undefined && !BRANCH_NAME.test(repo.deploymentBranch)) {
            issues.push({ path: at("deploymentBranch"), message: `expected a branch name, got "${repo.deploymentBranch}"` });
        }
        const canonical = new Map<string, string>();
        for (const [kind, values] of [["secret", repo.secrets ?? {}], ["variable", repo.variables ?? {}]] as const) {
            const names = Object.keys(values);
            if (names.length > MAX_PER_ENVIRONMENT) {
                issues.push({ path: at(`${kind}s`), message: `GitHub allows at most ${MAX_PER_ENVIRONMENT} ${kind}s per environment, got ${names.length}` });
            }
            for (const valueName of names) {
                const problem = valueNameProblem(valueName, kind);
                if (problem !== undefined) issues.push({ path: at(`${kind}s`, valueName), message: problem });
                const key = canonicalValueName(valueName);
                const other = canonical.get(key);
                if (other !== undefined) {
                    issues.push({ path: at(`${kind}s`, valueName), message: `${other} already uses the name ${key} (GitHub names are case-insensitive); rename one` });
                }
                canonical.set(key, `${kind} ${valueName}`);
            }
        }
    });
    return issues;
}

function createEnvironment(name: string, repo: GithubRepositoryEnvironment, parent: pulumi.Resource, provider: github.Provider): github.RepositoryEnvironment {
    const users = [...(repo.reviewers?.users ?? [])];
    const teams = [...(repo.reviewers?.teams ?? [])];
    const reviewed = users.length + teams.length > 0;
    const environment = new github.RepositoryEnvironment(`${name}-${repo.repository}-environment`, {
        repository: repo.repository,
        environment: repo.environment,
        ...(reviewed ? { reviewers: [{ users, teams }] } : {}),
        // A reviewed environment is only as strong as its weakest bypass: no self-approval, no admin skip.
        preventSelfReview: reviewed,
        canAdminsBypass: !reviewed,
        ...(repo.deploymentBranch === undefined ? {} : {
            deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
        }),
    }, { parent, provider });
    if (repo.deploymentBranch !== undefined) {
        new github.RepositoryEnvironmentDeploymentPolicy(`${name}-${repo.repository}-deployment-branch`, {
            repository: repo.repository,
            environment: environment.environment,
            branchPattern: repo.deploymentBranch,
        }, { parent, provider });
    }
    return environment;
}

function createValues(name: string, repo: GithubRepositoryEnvironment, environment: github.RepositoryEnvironment, parent: pulumi.Resource, provider: github.Provider): void {
    for (const [valueName, value] of Object.entries(repo.secrets ?? {})) {
        const secretName = canonicalValueName(valueName);
        new github.ActionsEnvironmentSecret(`${name}-${repo.repository}-secret-${secretName}`, {
            repository: repo.repository,
            environment: environment.environment,
            secretName,
            // `value`, not the deprecated `plaintextValue`. The provider returns it in its state as given;
            // the SDK registers the resource with `value` (and the other value fields) in
            // additionalSecretOutputs, so the state keeps it encrypted whatever the input was.
            value: pulumi.secret(value),
        }, {
            parent, provider,
            // pulumi/pulumi-github#223: never create-then-delete a secret of the same name (see the class doc).
            deleteBeforeReplace: true,
        });
    }
    for (const [valueName, value] of Object.entries(repo.variables ?? {})) {
        const variableName = canonicalValueName(valueName);
        new github.ActionsEnvironmentVariable(`${name}-${repo.repository}-variable-${variableName}`, {
            repository: repo.repository,
            environment: environment.environment,
            variableName,
            value,
        }, {
            parent, provider,
            // Same hazard as secrets: a create-then-delete of one name would delete the new variable.
            deleteBeforeReplace: true,
        });
    }
}

function summarize(repo: GithubRepositoryEnvironment): GithubEnvironmentSummary {
    return {
        environment: repo.environment,
        reviewers: (repo.reviewers?.users?.length ?? 0) + (repo.reviewers?.teams?.length ?? 0),
        deploymentBranch: repo.deploymentBranch ?? null,
        secrets: Object.keys(repo.secrets ?? {}).map(canonicalValueName).sort(),
        variables: Object.keys(repo.variables ?? {}).map(canonicalValueName).sort(),
    };
}
