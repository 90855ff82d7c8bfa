/**
 * Resolves `platform:github` against what the stack outputs: every secret and variable names a stack
 * output path (`services.api.url`, `accountId`, …) that must exist in this stack, secret outputs may only
 * become secrets, and the production environment must have reviewers. Then declares the
 * {@link GithubEnvironment} from the Environment's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Environment, EnvironmentService } from "../components/cloudflare/environment";
import { GithubEnvironment } from "../components/github/githubEnvironment";
import { ValidationError, renderPath, type ValidationIssue } from "../components/validation";
import { publicUrl } from "../components/cloudflare/publicUrl";
import { NAMESPACE, type StackConfig } from "./config";

/** A stack output a repository can receive. */
export interface OutputSource {
    /** Secret outputs may only become Actions secrets, never variables. */
    readonly secret: boolean;
    /** Reads the value from the declared environment. */
    readonly read: (environment: Environment) => pulumi.Input<string>;
}

/** One repository, resolved: names canonical, reviewers as ids, each value bound to its output. */
export interface ResolvedGithubRepository {
    readonly repository: string;
    readonly environment: string;
    readonly reviewers: { readonly users: number[]; readonly teams: number[] };
    /** The only branch that may deploy, or undefined for every branch. */
    readonly deploymentBranch: string | undefined;
    readonly secrets: Readonly<Record<string, OutputSource>>;
    readonly variables: Readonly<Record<string, OutputSource>>;
}

/** `platform:github`, resolved. */
export interface ResolvedGithub {
    readonly owner: string;
    readonly repositories: readonly ResolvedGithubRepository[];
}

/**
 * The stack outputs a repository can receive in this stack, by path:
 * `accountId`, `workersDevSubdomain`, `zone.id`, `zone.name` (when set), and per service
 * `services.<name>.scriptName` and `services.<name>.url` (when the service has a public URL).
 */
export function githubOutputSources(config: StackConfig, services: readonly EnvironmentService[]): Map<string, OutputSource> {
    const sources = new Map<string, OutputSource>();
    const plain = (value: string): OutputSource => ({ secret: false, read: () => value });
    sources.set("accountId", plain(config.accountId));
    if (config.workersDevSubdomain !== undefined) sources.set("workersDevSubdomain", plain(config.workersDevSubdomain));
    if (config.zone !== undefined) {
        sources.set("zone.id", plain(config.zone.id));
        sources.set("zone.name", plain(config.zone.name));
    }
    for (const svc of services) {
        const name = svc.declaration.name;
        sources.set(`services.${name}.scriptName`, { secret: false, read: (env) => workerOf(env, name).scriptName });
        // Whether there is a URL does not depend on the script name, only its text would.
        if (publicUrl(svc.settings, name, config.workersDevSubdomain) !== undefined) {
            sources.set(`services.${name}.url`, {
                secret: false,
                read: (env) => workerOf(env, name).url.apply((url) => {
                    if (url === undefined) throw new Error(`service ${name} has no public URL, but platform:github expects one`);
                    return url;
                }),
            });
        }
    }
    return sources;
}

/**
 * @param sources the outputs repositories may receive. @default {@link githubOutputSources}
 * @returns the resolved config, or undefined when `platform:github` is not set.
 * @throws {ValidationError} listing every problem with its path (`platform:github.repositories.app.variables.API_URL`).
 */
export function resolveGithub(
    stack: string,
    config: StackConfig,
    services: readonly EnvironmentService[],
    sources: ReadonlyMap<string, OutputSource> = githubOutputSources(config, services),
): ResolvedGithub | undefined {
    if (config.github === undefined) return undefined;
    const issues: ValidationIssue[] = [];
    const production = stack === "production";
    const repositories: ResolvedGithubRepository[] = [];
    for (const [repository, repo] of Object.entries(config.github.repositories)) {
        const at = (...rest: PropertyKey[]) => renderPath(`${NAMESPACE}:`, ["github", "repositories", repository, ...rest]);
        const users = Object.values(repo.reviewers?.users ?? {});
        const teams = Object.values(repo.reviewers?.teams ?? {});
        if (production && users.length + teams.length === 0) {
            issues.push({
                path: at("reviewers"),
                message: "the production environment needs at least one required reviewer; set reviewers.users or reviewers.teams (login or team slug: numeric id)",
            });
        }
        const bind = (kind: "secrets" | "variables") => {
            const bound: Record<string, OutputSource> = {};
            for (const [name, outputPath] of Object.entries(repo[kind])) {
                const source = sources.get(outputPath);
                if (source === undefined) {
                    issues.push({ path: at(kind, name), message: unknownOutputMessage(outputPath, sources, stack) });
                    continue;
                }
                if (kind === "variables" && source.secret) {
                    issues.push({ path: at(kind, name), message: `stack output ${outputPath} is a secret and variables are plain text; list it under secrets` });
                    continue;
                }
                bound[name] = source;
            }
            return bound;
        };
        const policy = repo.branchPolicy ?? (production ? "default-branch" : "any");
        repositories.push({
            repository,
            environment: repo.environment ?? stack,
            reviewers: { users, teams },
            deploymentBranch: policy === "default-branch" ? repo.defaultBranch : undefined,
            secrets: bind("secrets"),
            variables: bind("variables"),
        });
    }
    if (issues.length > 0) throw new ValidationError(`GitHub config for stack "${stack}"`, issues);
    return { owner: config.github.owner, repositories };
}

/**
 * Declares the GitHub environments of the stack from the Environment's outputs.
 * @param token the provider's token. @default {@link githubToken}
 */
export function declareGithub(stack: string, resolved: ResolvedGithub, environment: Environment, token: pulumi.Input<string> | undefined = githubToken()): GithubEnvironment {
    const read = (values: Readonly<Record<string, OutputSource>>) =>
        Object.fromEntries(Object.entries(values).map(([name, source]) => [name, source.read(environment)]));
    return new GithubEnvironment(stack, {
        owner: resolved.owner,
        ...(token === undefined ? {} : { token }),
        repositories: resolved.repositories.map((repo) => ({
            repository: repo.repository,
            environment: repo.environment,
            reviewers: repo.reviewers,
            ...(repo.deploymentBranch === undefined ? {} : { deploymentBranch: repo.deploymentBranch }),
            secrets: read(repo.secrets),
            variables: read(repo.variables),
        })),
    }, { dependsOn: [environment] });
}

/**
 * The GitHub token, as a Pulumi secret: `github:token` (set with `pulumi config set --secret github:token`),
 * else the `GITHUB_TOKEN` variable. Wrapped here because the provider's own fallback to `GITHUB_TOKEN`
 * would put the token in the provider's inputs in plain text.
 */
export function githubToken(): pulumi.Output<string> | undefined {
    const configured = new pulumi.Config("github").getSecret("token");
    if (configured !== undefined) return configured;
    const fromEnv = process.env.GITHUB_TOKEN;
    return fromEnv === undefined || fromEnv === "" ? undefined : pulumi.secret(fromEnv);
}

function unknownOutputMessage(outputPath: string, sources: ReadonlyMap<string, OutputSource>, stack: string): string {
    const url = /^services\.([^.]+)\.url$/.exec(outputPath);
    if (url !== null && sources.has(`services.${url[1]}.scriptName`)) {
        return `service ${url[1]} has no public URL in stack ${stack} (no custom domain, route or workers.dev); give it one or map services.${url[1]}.scriptName`;
    }
    return `unknown stack output "${outputPath}"; available in stack ${stack}: ${[...sources.keys()].join(", ")}`;
}

function workerOf(environment: Environment, service: string) {
    const worker = environment.services[service];
    if (worker === undefined) throw new Error(`Environment has no service ${service}`);
    return worker;
}
