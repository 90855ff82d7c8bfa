/**
 * The Pulumi wire format's special values: what the SDK sends to the resource monitor and the engine
 * sends to analyzers (pulumi/pulumi `sdk/go/common/resource/properties.go`, `sdk/nodejs/runtime/rpc.ts`).
 */

/** Key that marks a special object; its value says which kind. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** `{ [SIG_KEY]: SECRET_SIG, value }`: a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** A resource reference (`urn`, `id`, `packageVersion`). */
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** An output value (`value`, `secret`, `dependencies`). */
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** An asset. */
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
/** An archive. */
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** `plugin.UnknownStringValue`, the only unknown sentinel the Node.js SDK sends. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wraps a value in the secret marker. */
export function secretWire(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** Whether a wire value is a secret marker. */
export function isSecretWire(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}
