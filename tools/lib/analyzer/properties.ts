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

type Writer = InstanceType<typeof proto.BinaryWriter>;

/** Field number of `properties` in `AnalyzeRequest` and in `AnalyzerResource` (pulumi/proto/pulumi/analyzer.proto). */
const PROPERTIES_FIELD = 2;

/**
 * `message` (an `AnalyzeRequest` or `AnalyzerResource` whose `properties` are left unset) encoded with `properties`
 * as its Struct ({@link encodeStruct}): its own fields, then the properties field (a parser takes fields in any order).
 */
export function encodeWithProperties(message: { serializeBinary(): Uint8Array }, properties: Readonly<Record<string, unknown>>): Uint8Array {
    const writer = new proto.BinaryWriter();
    writer.writeBytes(PROPERTIES_FIELD, encodeStruct(properties));
    return Buffer.concat([message.serializeBinary(), writer.getResultBuffer()]);
}

/** Strings at least this long (UTF-16 code units) are encoded by Node; shorter ones by google-protobuf, cheaper per call. */
const NATIVE_UTF8_FROM = 256;

/**
 * `toStruct(value).serializeBinary()`, byte for byte (keys sorted, as google-protobuf writes a map), without its
 * string encoder for long strings: it encodes one character at a time into an array of numbers, and a Worker's
 * bundled `content` (hundreds of KB, sent with `Remediate`, `Analyze` and `AnalyzeStack`) made that most of the
 * offline plan's analysis time (bench: policy pack start). Framing is google-protobuf's `BinaryWriter`; a long
 * well-formed string's UTF-8 comes from `Buffer` (a lone surrogate leaves it to google-protobuf, whose encoding
 * of one differs from Node's).
 *
 * Wire format of `google.protobuf.Struct` (struct.proto): `fields` = 1 (map entries: key = 1, value = 2); `Value`:
 * `null_value` = 1, `number_value` = 2, `string_value` = 3, `bool_value` = 4, `struct_value` = 5, `list_value` = 6;
 * `ListValue`: `values` = 1.
 * @throws {Error} "Unexpected struct type." for a value a Struct cannot hold (undefined, a function), as `toStruct`.
 */
export function encodeStruct(value: Readonly<Record<string, unknown>>): Uint8Array {
    const writer = new proto.BinaryWriter();
    writeStruct(value, writer);
    return writer.getResultBuffer();
}

function writeStruct(obj: Readonly<Record<string, unknown>>, writer: Writer): void {
    for (const key of Object.keys(obj).sort()) {
        writer.writeMessage(1, key, (k: string, w: Writer) => {
            w.writeString(1, k);
            // Boxed: writeMessage skips a null message, and a null value is still a Value (null_value).
            w.writeMessage(2, { value: obj[k] }, writeValue);
        });
    }
}

function writeValue(box: { readonly value: unknown }, writer: Writer): void {
    const value = box.value;
    if (value === null) writer.writeEnum(1, 0);
    else if (typeof value === "number") writer.writeDouble(2, value);
    else if (typeof value === "string") {
        if (value.length >= NATIVE_UTF8_FROM && isWellFormed(value)) writer.writeBytes(3, Buffer.from(value, "utf8"));
        else writer.writeString(3, value);
    } else if (typeof value === "boolean") writer.writeBool(4, value);
    else if (Array.isArray(value)) writer.writeMessage(6, value, writeList);
    else if (typeof value === "object") writer.writeMessage(5, value as Record<string, unknown>, writeStruct);
    else throw new Error("Unexpected struct type.");
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20; the project's TypeScript lib predates it): no lone surrogate. */
function isWellFormed(text: string): boolean {
    return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function writeList(values: readonly unknown[], writer: Writer): void {
    for (const value of values) writer.writeMessage(1, { value }, writeValue);
}
