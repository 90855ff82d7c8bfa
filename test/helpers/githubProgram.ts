/**
 * Runs one GitHub program under the SDK's mock engine in its own process (the SDK keeps its state in
 * process globals, so two runs to compare need two processes) and writes what it registered:
 *
 *   node --import tsx test/helpers/githubProgram.ts <out.json> <secret value>
 *
 * The program declares a {@link GithubEnvironment} directly with one secret whose value is given, and
 * records, through a stack transformation, the resource options every resource was constructed with
 * (`replaceOnChanges`, `ignoreChanges`, `deleteBeforeReplace`), which the monitor request alone does not
 * carry in full.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { GithubEnvironment } from "../../components/github/githubEnvironment";
import { runOffline, type ResourceRecord } from "../../tools/lib/mockEngine";

/** The options one resource was constructed with, as a transformation sees them. */
export interface RecordedOptions {
    readonly type: string;
    readonly name: string;
    readonly deleteBeforeReplace: boolean;
    readonly replaceOnChanges: string[];
    readonly ignoreChanges: string[];
}

/** What the helper writes. */
export interface GithubProgramRun {
    readonly resources: readonly ResourceRecord[];
    readonly options: RecordedOptions[];
}

/** The program: one repository environment with a secret of the given value and a plain variable. */
export function githubProgram(secretValue: string, options: RecordedOptions[]): () => unknown {
    return () => {
        pulumi.runtime.registerStackTransformation((args) => {
            options.push({
                type: args.type,
                name: args.name,
                deleteBeforeReplace: (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace === true,
                replaceOnChanges: [...(args.opts.replaceOnChanges ?? [])],
                ignoreChanges: [...(args.opts.ignoreChanges ?? [])],
            });
            return undefined;
        });
        const gh = new GithubEnvironment("staging", {
            owner: "example-co",
            token: pulumi.secret("offline-token-not-used"),
            repositories: [{
                repository: "storefront",
                environment: "staging",
                secrets: { deploy_key: pulumi.secret(secretValue) },
                variables: { API_URL: "https://api.staging.example.com" },
            }],
        });
        return { github: gh.summary };
    };
}

if (require.main === module) {
    const [out, value] = process.argv.slice(2);
    if (out === undefined || value === undefined) {
        process.stderr.write("usage: githubProgram.ts <out.json> <secret value>\n");
        process.exit(2);
    }
    const options: RecordedOptions[] = [];
    runOffline({ project: "platform", stack: "staging", config: { config: {}, secretKeys: [] }, program: githubProgram(value, options) })
        .then((run) => {
            fs.writeFileSync(out, JSON.stringify({ resources: run.resources, options } satisfies GithubProgramRun));
            process.exit(0);
        }, (error: unknown) => {
            process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
            process.exit(1);
        });
}
