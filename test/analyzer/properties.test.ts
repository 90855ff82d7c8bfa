import { describe, expect, it } from "vitest";
import { encodeStruct, encodeWithProperties, toStruct } from "../../tools/lib/analyzer/properties";
import { proto } from "../../tools/lib/analyzer/sdk";

const long = (unit: string) => unit.repeat(Math.ceil(600 / unit.length));

/** Values of every kind a Struct holds, strings short and long, ASCII and not. */
const SAMPLES: Record<string, unknown>[] = [
    {},
    { b: "second", a: "first", n: 1.5, neg: -3, zero: 0, t: true, f: false, none: null },
    { content: long("export default { fetch() { return new Response('ok') } };\n"), mainModule: "index.js" },
    { unicode: long("Grüße, 世界 🌍 "), short: "é🌍", nested: { list: [1, "two", null, [long("ñ")], { deep: long("🌍") }] } },
    // A lone surrogate: google-protobuf drops it where Node would write U+FFFD; both must agree with google-protobuf.
    { lone: long("a") + "\ud800" + long("b"), loneLow: "\udc00x" },
    { bindings: [{ name: "CACHE", type: "kv_namespace", namespaceId: "22a6ac9d" }], "": "empty key", "ключ": 2 },
];

describe("encodeStruct", () => {
    it.each(SAMPLES.map((sample, i) => [i, sample] as const))("writes sample %i byte for byte as google-protobuf does", (_i, sample) => {
        expect(Buffer.from(encodeStruct(sample))).toEqual(Buffer.from(toStruct(sample).serializeBinary()));
    });

    it("refuses what a Struct cannot hold, as google-protobuf does", () => {
        expect(() => encodeStruct({ missing: undefined })).toThrow("Unexpected struct type.");
        expect(() => toStruct({ missing: undefined })).toThrow("Unexpected struct type.");
        expect(() => encodeStruct({ fn: () => 1 })).toThrow("Unexpected struct type.");
    });
});

describe("encodeWithProperties", () => {
    it("decodes as the message with its properties set", () => {
        const properties = SAMPLES[3]!;
        const request = new proto.pb.AnalyzeRequest();
        request.setUrn("urn:pulumi:staging::platform::cloudflare:index/workersScript:WorkersScript::api-script");
        request.setType("cloudflare:index/workersScript:WorkersScript");
        request.setName("api-script");
        const decoded = proto.pb.AnalyzeRequest.deserializeBinary(encodeWithProperties(request, properties));
        request.setProperties(toStruct(properties));
        expect(decoded.toObject()).toEqual(request.toObject());

        const resource = new proto.pb.AnalyzerResource();
        resource.setUrn("urn:pulumi:staging::platform::platform:cloudflare:WorkerService::api");
        const decodedResource = proto.pb.AnalyzerResource.deserializeBinary(encodeWithProperties(resource, properties));
        expect(decodedResource.getProperties()?.toJavaScript()).toEqual(toStruct(properties).toJavaScript());
    });
});
