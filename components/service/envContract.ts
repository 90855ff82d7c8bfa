/**
 * The env contract of a service in a serializable form: what each key of the Worker's `env` must be
 * and which binding provides it. Component outputs carry it so policies can check a stack without
 * running the Worker.
 */
import { z } from "zod";
import type { BindingKind, ServiceDeclaration } from "./declaration";
import { renderPath, zodIssues, type ValidationIssue } from "../validation";

/** One key of the contract. */
export interface EnvContractKey {
    /** The `env` property name, equal to the binding name that provides it. */
    readonly name: string;
    /** Kind of the binding that provides it. */
    readonly kind: BindingKind;
    /** True when the contract accepts the key being absent. */
    readonly optional: boolean;
}

/** The serializable contract. */
export interface EnvContract {
    /** Every key of the contract, in declaration order. */
    readonly keys: readonly EnvContractKey[];
    /** The contract as JSON Schema (draft 2020-12); types zod cannot express become `{}`. */
    readonly jsonSchema: Record<string, unknown>;
}

/** Summarizes a validated declaration's env contract. Keys without a binding cannot occur (defineService rejects them). */
export function describeEnvContract(declaration: ServiceDeclaration): EnvContract {
    const keys = Object.entries(declaration.env.shape).map(([name, schema]) => ({
        name,
        kind: declaration.bindings[name]?.kind ?? "var",
        optional: (schema as z.ZodType).safeParse(undefined).success,
    }));
    const jsonSchema = z.toJSONSchema(declaration.env, { unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
    return { keys, jsonSchema };
}

/**
 * Checks variable values against the contract's schema for each of those keys; keys the contract does
 * not have are ignored. Used for declared defaults and for per-stack overrides.
 * @param root rendered path the values live under (`platform:services.api.vars`).
 * @returns one issue per failing key, path `<root>.<KEY>`.
 */
export function contractIssues(contract: z.ZodObject, values: Readonly<Record<string, string>>, root: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const [key, value] of Object.entries(values)) {
        const schema = contract.shape[key] as z.ZodType | undefined;
        if (schema === undefined) continue;
        const result = schema.safeParse(value, { reportInput: true });
        if (!result.success) issues.push(...zodIssues(renderPath(root, [key]), result.error));
    }
    return issues;
}
