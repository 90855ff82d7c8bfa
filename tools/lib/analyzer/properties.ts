/**
 * Wire values: properties as the SDK sent them, converted to what the engine sends an analyzer
 * (`sdk/go/common/resource/plugin/rpc.go` `MarshalProperties`), and to the protobuf Struct of a request.
 */
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import { ARCHIVE_SIG, ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_REF_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, secretWire } from "../wire";
import { proto } from "./sdk";

/**
 * Converts properties as the SDK sent them into the Struct the engine sends an analyzer: the engine
 * unmarshals registrations keeping unknowns, secrets and resource references, and marshals analyzer
 * requests with `KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true` and without
 * `KeepResources`. So secrets keep their marker (the policy SDK unwraps them before policies see them),
 * unknowns stay the unknown sentinel, keys starting with `__` are dropped at every level (`__provider`
 * of dynamic resources never reaches a policy), resource references become their id (unknown when the
 * id is not known yet) or, for components, their URN, and output values become their value (secret if
 * they were) or unknown.
 * @param skipInternalKeys `false` for `Remediate`, which the engine marshals with internal keys kept.
 */
export function toAnalyzerProperties(props: Readonly<Record<string, unknown>>, skipInternalKeys = true): Record<string, unknown> {
    return wireObject(props, skipInternalKeys);
}

function wireObject(obj: Readonly<Record<string, unknown>>, skipInternal: boolean): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
        if (skipInternal && key.startsWith("__")) continue;
        if (value === undefined) continue;
        result[key] = wireValue(value, skipInternal);
    }
    return result;
}

function wireValue(value: unknown, skipInternal: boolean): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => wireValue(v, skipInternal));
    const obj = value as Record<string, unknown>;
    const sig = obj[SIG_KEY];
    if (sig === undefined) return wireObject(obj, skipInternal);
    switch (sig) {
        case SECRET_SIG:
            if (!("value" in obj)) throw new Error("malformed RPC secret: missing value");
            return secretWire(wireValue(obj.value, skipInternal));
        case RESOURCE_REF_SIG:
            if ("id" in obj) return obj.id === "" || obj.id === UNKNOWN ? UNKNOWN : obj.id;
            return obj.urn;
        case OUTPUT_VALUE_SIG: {
            const inner = "value" in obj ? wireValue(obj.value, skipInternal) : UNKNOWN;
            return obj.secret === true ? secretWire(inner) : inner;
        }
        case ASSET_SIG:
        case ARCHIVE_SIG:
            return structuredClone(obj);
        default:
            throw new Error(`unrecognized signature '${String(sig)}' in property value`);
    }
}

export function toStruct(value: Record<string, unknown>): structPbTypes.Struct {
    return proto.Struct.fromJavaScript(value as Record<string, structPbTypes.JavaScriptValue>);
}
