/**
 * What the parts of the wrangler import (`importConfig.ts`, `importBindings.ts`, `importStack.ts`) share
 * while importing one file: the mapped environments and how notes are recorded. Internal to the import.
 */
import { SERVICE_NAME } from "../../service/declaration";
import type { RawConfig } from "./environments";
import type { ImportedBinding, ImportNoteCategory, ImportStack } from "./importConfig";

/** One mapped environment while importing. */
export interface MappedEnv {
    readonly stack: ImportStack;
    readonly environment: string | undefined;
    readonly label: string;
    readonly env: RawConfig;
    readonly inherited: readonly string[];
    /** Renders a path inside this environment (`env.production.kv_namespaces[0]`). */
    readonly at: (...segments: PropertyKey[]) => string;
}

/** Where a declared binding came from. */
export interface DeclaredFrom {
    readonly binding: ImportedBinding;
    readonly label: string;
    /** The wrangler key it was declared under (`kv_namespaces`, `vars`). */
    readonly key: string;
    /** A secret found outside the config (`.dev.vars`). */
    readonly outsideConfig?: boolean;
}

/** Records a note about the original (see `ImportNote`). */
export type Note = (environment: string | undefined, path: string, category: ImportNoteCategory, message: string, binding?: string) => void;

/**
 * A service name from a Worker name: lowercase, every run of other characters (`_`, `.`) as one `-`,
 * no leading or trailing dash, at most 40 characters.
 * @returns the name, or undefined when nothing valid remains (it must start with a letter).
 */
export function serviceNameFrom(workerName: string): string | undefined {
    const name = workerName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
    return SERVICE_NAME.test(name) ? name : undefined;
}
