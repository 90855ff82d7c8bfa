/**
 * GitHub's naming rules and limits for repository environments and their Actions secrets and variables,
 * as plain functions that return the problem (or undefined), so config validation can report each one
 * with its path and tests can check them case by case.
 *
 * Sources (GitHub Docs):
 * - secret names and limits (100 per environment, 48 KB each):
 *   https://docs.github.com/en/actions/reference/secrets-reference#naming-your-secrets
 * - variable names and limits (100 per environment, 48 KB each):
 *   https://docs.github.com/en/actions/reference/variables-reference#naming-conventions-for-configuration-variables
 * - environment names (case-insensitive, at most 255 characters) and required reviewers (at most 6):
 *   https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments
 */

/** What a secret or variable name is: an Actions secret or a configuration variable. */
export type GithubValueKind = "secret" | "variable";

/** Secrets and variables may hold at most this many entries per environment (each). */
export const MAX_PER_ENVIRONMENT = 100;
/** An environment may list at most this many required reviewers (users and teams together). */
export const MAX_REVIEWERS = 6;
/** Longest environment name GitHub accepts. */
export const MAX_ENVIRONMENT_NAME_LENGTH = 255;
/**
 * Longest secret or variable name this platform accepts. GitHub documents no maximum for names; this cap
 * is ours, so an accidental paste of a value into a name fails here rather than at the API.
 */
export const MAX_VALUE_NAME_LENGTH = 255;

/**
 * Why `name` cannot be the name of an Actions secret or variable, or undefined when it can.
 * Rules: only `[A-Za-z0-9_]`; not starting with a digit; not starting with `GITHUB_` (in any case);
 * at most {@link MAX_VALUE_NAME_LENGTH} characters.
 */
export function valueNameProblem(name: string, kind: GithubValueKind): string | undefined {
    if (name.length === 0) return `a ${kind} name cannot be empty`;
    if (/^[0-9]/.test(name)) return `${kind} names must not start with a digit`;
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
        return `${kind} names may contain only letters, digits and underscores ([A-Za-z0-9_]), no spaces or other characters`;
    }
    if (/^GITHUB_/i.test(name)) return `${kind} names must not start with the reserved prefix GITHUB_`;
    if (name.length > MAX_VALUE_NAME_LENGTH) return `${kind} names are limited to ${MAX_VALUE_NAME_LENGTH} characters here, got ${name.length}`;
    return undefined;
}

/**
 * The name GitHub stores: secret and variable names are case-insensitive and stored upper-cased, so the
 * platform declares them upper-cased too and the provider's state matches what GitHub returns.
 */
export function canonicalValueName(name: string): string {
    return name.toUpperCase();
}

/** Why `name` cannot be an environment name, or undefined. */
export function environmentNameProblem(name: string): string | undefined {
    if (name.trim().length === 0) return "an environment name cannot be empty";
    if (name.length > MAX_ENVIRONMENT_NAME_LENGTH) {
        return `environment names are limited to ${MAX_ENVIRONMENT_NAME_LENGTH} characters, got ${name.length}`;
    }
    if (/[\u0000-\u001f]/.test(name)) return "environment names cannot contain control characters";
    return undefined;
}

/** A GitHub user or organization login: letters, digits and single inner hyphens, at most 39 characters. */
export const GITHUB_LOGIN = /^(?=.{1,39}$)[A-Za-z0-9](?:-?[A-Za-z0-9])*$/;
/** A repository name (without owner): letters, digits, `.`, `-`, `_`, at most 100 characters. */
export const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
/** A team slug as in `orgs/<org>/teams/<slug>`: lowercase letters, digits, `-` and `_`. */
export const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]*$/;
/** A branch name this platform accepts for the default branch: no spaces, `..`, `~^:?*[\` or leading `-`/`/`. */
export const BRANCH_NAME = /^(?![-/])(?!.*\.\.)(?!.*\/\/)[^\s~^:?*[\\]{1,255}(?<![./])$/;
