/**
 * The table of binding kinds: every kind the platform can declare, in the order generated configuration
 * lists them. Everything that handles bindings iterates {@link BINDING_KINDS}; adding a kind is one module
 * plus one entry here (or {@link registerBindingKind} for a kind defined outside this folder).
 */
import { assets } from "./assets";
import { d1 } from "./d1";
import { durableObject } from "./durableObject";
import { hyperdrive } from "./hyperdrive";
import type { z } from "zod";
import type { BindingKindDefinition, BindingSchema } from "./kind";
import { kv } from "./kv";
import { r2 } from "./r2";
import { secret } from "./secret";
import { service } from "./service";
import { variable } from "./var";
import { ai } from "./ai";
import { vectorize } from "./vectorize";
import { analyticsEngine } from "./analyticsEngine";
import { rateLimit } from "./rateLimit";
import { browser } from "./browser";
import { versionMetadata } from "./versionMetadata";
import { sendEmail } from "./sendEmail";
import { dispatchNamespace } from "./dispatchNamespace";
import { mtlsCertificate } from "./mtlsCertificate";
import { secretsStoreSecret } from "./secretsStoreSecret";
import { images } from "./images";
import { workflow } from "./workflow";
import { queue } from "./queue";

/** The kinds this folder defines, as a tuple so declarations get their static types. */
const BUILT_IN = [kv, d1, r2, durableObject, service, hyperdrive, variable, secret, assets, ai, vectorize, analyticsEngine, rateLimit, browser, versionMetadata, sendEmail, dispatchNamespace, mtlsCertificate, secretsStoreSecret, images, workflow, queue] as const;

/** A binding as a team writes it (`defineService` input), of any built-in kind. */
export type BindingInput = z.input<(typeof BUILT_IN)[number]["schema"]>;
/** A validated binding of any built-in kind, defaults applied. */
export type Binding = z.output<(typeof BUILT_IN)[number]["schema"]>;
/** Binding kinds, by `kind`. */
export type BindingKind = Binding["kind"];

/** Every binding kind, in the order generated configuration lists them (built-in kinds, then registered ones). */
export const BINDING_KINDS: readonly BindingKindDefinition<any>[] = [...BUILT_IN];

const byKind = new Map<string, BindingKindDefinition<any>>();
for (const definition of BINDING_KINDS) byKind.set(definition.kind, definition);

/**
 * The definition of a kind.
 * @throws {Error} for a kind no module defines (declarations are validated first, so this is a programming error).
 */
export function bindingKind(kind: string): BindingKindDefinition<BindingSchema> {
    const found = byKind.get(kind);
    if (found === undefined) throw new Error(`unknown binding kind "${kind}"`);
    return found;
}

/** Every kind's `kind` string, in table order. */
export function bindingKindNames(): string[] {
    return BINDING_KINDS.map((k) => k.kind);
}

/**
 * Adds a kind defined outside this folder (a test-only kind, a company-specific binding). Must run before
 * any declaration is validated: the declaration schema is built from the table on first use.
 * @throws {Error} when the kind is already registered.
 */
export function registerBindingKind(definition: BindingKindDefinition<any>): void {
    if (byKind.has(definition.kind)) throw new Error(`binding kind "${definition.kind}" is already registered`);
    byKind.set(definition.kind, definition);
    (BINDING_KINDS as BindingKindDefinition<any>[]).push(definition);
}

export type { BindingKindDefinition, BindingSchema, DeclaredBinding, ResolvedResource } from "./kind";
