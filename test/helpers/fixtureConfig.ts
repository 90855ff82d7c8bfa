/**
 * Writes the wrangler.jsonc the platform generates for a fixture Worker (a declaration outside `services/`),
 * the way `npm run plan` renders it: `generateWranglerConfig` for one stack's settings, then
 * `renderWranglerFiles` with every path rebased onto the file's folder. For `wrangler dev` and
 * `wrangler deploy --dry-run` on fixtures under test/fixtures/workers/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ServiceDeclaration } from "../../components/service/declaration";
import type { ServiceSettings } from "../../components/service/settings";
import { generateWranglerConfig, type ResolvedResource } from "../../components/wrangler/generate";
import { renderWranglerFiles } from "../../components/wrangler/render";

/** Absolute path of the repository root. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The settings a fixture gets: the declaration's own, nothing from a stack file. */
export function fixtureSettings(declaration: ServiceDeclaration): ServiceSettings {
    return {
        routes: declaration.routes,
        customDomains: declaration.customDomains,
        vars: Object.fromEntries(Object.entries(declaration.bindings).flatMap(([name, b]) => (b.kind === "var" ? [[name, String(b.value)]] : []))),
        workersDev: declaration.workersDev,
        crons: declaration.crons,
        observability: declaration.observability,
        protect: false,
    };
}

/**
 * Generates and writes `<dir>/wrangler.jsonc` for `declaration`, whose service directory is `root`.
 * @param dir absolute folder for the file; must be inside the repository (wrangler resolves paths from it).
 * @param resources resolved resources of bindings whose kind creates one. @default {}
 * @returns the file's absolute path.
 */
export function writeFixtureConfig(declaration: ServiceDeclaration, root: string, dir: string, resources: Readonly<Record<string, ResolvedResource>> = {}): string {
    const generated = generateWranglerConfig({
        declaration,
        scriptName: `${declaration.name}-test`,
        serviceDir: path.relative(PROJECT_ROOT, root).split(path.sep).join("/"),
        settings: fixtureSettings(declaration),
        resources,
        serviceScripts: {},
    });
    const toRoot = path.relative(dir, PROJECT_ROOT).split(path.sep).join("/") || ".";
    const rendered = renderWranglerFiles(generated, toRoot, [`Generated for the ${declaration.name} fixture by a test.`]);
    fs.mkdirSync(dir, { recursive: true });
    const configPath = path.join(dir, "wrangler.jsonc");
    fs.writeFileSync(configPath, rendered["wrangler.jsonc"]);
    return configPath;
}
