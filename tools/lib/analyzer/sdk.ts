/**
 * The SDK's modules: the analyzer protocol's generated messages and client, loaded from `@pulumi/pulumi`
 * (`@pulumi/pulumi/proto/analyzer_*`) together with the grpc-js and google-protobuf copies they were built with.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as jspbTypes from "google-protobuf";

export const localRequire = createRequire(import.meta.url);
/** Resolves from @pulumi/pulumi's own location, so grpc-js and google-protobuf are the SDK's copies. */
const sdkRequire = createRequire(localRequire.resolve("@pulumi/pulumi/package.json"));

/**
 * The SDK's generated messages and client, and the grpc-js / google-protobuf instances they were built
 * with (the client checks `credentials instanceof ChannelCredentials` against its own grpc-js).
 */
export const proto = {
    pb: sdkRequire("./proto/analyzer_pb") as typeof analyzerPbTypes,
    AnalyzerClient: (sdkRequire("./proto/analyzer_grpc_pb") as typeof analyzerGrpcTypes).AnalyzerClient,
    /** The service definition: each method's path and response deserializer. */
    AnalyzerService: (sdkRequire("./proto/analyzer_grpc_pb") as typeof analyzerGrpcTypes).AnalyzerService,
    grpc: sdkRequire("@grpc/grpc-js") as typeof grpcTypes,
    Struct: (sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof structPbTypes).Struct,
    Empty: (sdkRequire("google-protobuf/google/protobuf/empty_pb") as typeof emptyPbTypes).Empty,
    BinaryWriter: (sdkRequire("google-protobuf") as typeof jspbTypes).BinaryWriter,
};
