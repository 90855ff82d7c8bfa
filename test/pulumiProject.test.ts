/**
 * Pulumi.yaml against the CLI's own project schema, and the stack files against what the program reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadStackConfig } from "../infra/config";
import { readProjectFile, readStackConfig, SECRET_PLACEHOLDER } from "../tools/lib/stackFiles";

const projectDir = path.resolve(__dirname, "..");
const schemaPath = path.resolve(projectDir, "..", "shared", "pulumi", "project.schema.json");

describe("Pulumi project files", () => {
    it("Pulumi.yaml validates against the CLI's project schema", () => {
        const ajv = new Ajv2020({ allErrors: true, strict: false });
        addFormats(ajv);
        const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
        const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
        const ok = validate(project);
        expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
        expect(ok).toBe(true);
    });

    it("runs the TypeScript program through tsx, not ts-node", () => {
        const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
        expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false, nodeargs: "--import tsx", packagemanager: "npm" } });
        expect(fs.existsSync(path.join(projectDir, project.main))).toBe(true);
    });

    for (const stack of ["staging", "production"]) {
        it(`Pulumi.${stack}.yaml passes the stack config schema, with secrets only as secure: values`, () => {
            const engine = readStackConfig(projectDir, readProjectFile(projectDir), stack);
            // platform:monitoring holds secure: Logpush credentials (and production's webhook secret).
            expect(engine.secretKeys).toEqual(["cloudflare:apiToken", "github:token", "platform:monitoring", "platform:secrets"]);
            const config = loadStackConfig(engine.config, (k) => engine.secretKeys.includes(k));
            expect(config.secrets.api?.SIGNING_KEY).toBe(SECRET_PLACEHOLDER);
            const logpush = config.monitoring?.logpush;
            expect(logpush?.destination === "r2" ? logpush.secretAccessKey : logpush?.headers.Authorization).toBe(SECRET_PLACEHOLDER);
            expect(config.protect).toBe(stack === "production");
        });
    }
});
